// The OpenID providers the tests sign in against: `oidc-provider` (npm, OpenID-certified), with
// scripted logins on its plain development form.
//
//     node provider.mjs
//
// Starts three issuers on free loopback ports and prints them as one JSON line once listening:
//   main      the school's provider: client `eduflow` / `eduflow-secret` (code flow, PKCE, RS256)
//   other     another issuer with the same client, for mix-up attempts
//   rotating  like main; `POST http://127.0.0.1:<control>/rotate` restarts it with a new signing key
//   control   that endpoint
// The login typed on the form is the account and its subject (`sub`):
// `email[;groups=a+b][;unverified][;name=Full Name]`. Consent is implied
// (a first-party provider), and redirect URIs are any `http://<school>.localhost:<port>/sso/...`.
// Exits when its parent does.
import { generateKeyPairSync, randomUUID } from 'node:crypto';
import http from 'node:http';
import Provider from 'oidc-provider';

const SCOPES = 'openid email profile groups';
const CALLBACK = /^http:\/\/[a-z0-9-]+\.localhost(:\d+)?\/sso\/[a-z0-9-]+\/callback$/;
const AFTER_LOGOUT = /^http:\/\/[a-z0-9-]+\.localhost(:\d+)?\/(\?.*)?$/;

function account(id) {
  const [email, ...flags] = id.split(';');
  const claims = {
    sub: id,
    email,
    email_verified: !flags.includes('unverified'),
    name: email.split('@')[0],
    groups: [],
  };
  for (const flag of flags) {
    if (flag.startsWith('groups=')) claims.groups = flag.slice(7).split('+').filter(Boolean);
    if (flag.startsWith('name=')) claims.name = flag.slice(5);
  }
  return claims;
}

function signingKey() {
  const { privateKey } = generateKeyPairSync('rsa', { modulusLength: 2048 });
  return { ...privateKey.export({ format: 'jwk' }), kid: randomUUID(), use: 'sig', alg: 'RS256' };
}

function start(port, key) {
  const issuer = `http://127.0.0.1:${port}`;
  const provider = new Provider(issuer, {
    clients: [
      {
        client_id: 'eduflow',
        client_secret: 'eduflow-secret',
        redirect_uris: ['http://northwind.localhost/sso/main/callback'],
        post_logout_redirect_uris: ['http://northwind.localhost/'],
        grant_types: ['authorization_code'],
        response_types: ['code'],
      },
    ],
    jwks: { keys: [key] },
    scopes: ['openid', 'email', 'profile', 'groups'],
    claims: { openid: ['sub'], email: ['email', 'email_verified'], profile: ['name'], groups: ['groups'] },
    features: { devInteractions: { enabled: true }, rpInitiatedLogout: { enabled: true } },
    pkce: { required: () => true },
    async findAccount(_ctx, id) {
      return { accountId: id, claims: async () => account(id) };
    },
    async loadExistingGrant(ctx) {
      const { Grant } = ctx.oidc.provider;
      const grantId = ctx.oidc.result?.consent?.grantId
        || ctx.oidc.session.grantIdFor(ctx.oidc.client.clientId);
      if (grantId) return Grant.find(grantId);
      const grant = new Grant({ clientId: ctx.oidc.client.clientId, accountId: ctx.oidc.session.accountId });
      grant.addOIDCScope(SCOPES);
      await grant.save();
      return grant;
    },
  });
  provider.on('server_error', (_ctx, err) => console.error(err));
  provider.Client.prototype.redirectUriAllowed = (uri) => CALLBACK.test(uri);
  provider.Client.prototype.postLogoutRedirectUriAllowed = (uri) => AFTER_LOGOUT.test(uri);
  const server = http.createServer(provider.callback());
  server.keepAliveTimeout = 1000;
  return new Promise((resolve) => server.listen(port, '127.0.0.1', () => resolve(server)));
}

function freePort() {
  return new Promise((resolve) => {
    const probe = http.createServer();
    probe.listen(0, '127.0.0.1', () => {
      const { port } = probe.address();
      probe.close(() => resolve(port));
    });
  });
}

const ports = { main: await freePort(), other: await freePort(), rotating: await freePort() };
await start(ports.main, signingKey());
await start(ports.other, signingKey());
let rotating = await start(ports.rotating, signingKey());

const control = http.createServer(async (req, res) => {
  if (req.method === 'POST' && req.url === '/rotate') {
    rotating.closeAllConnections();
    await new Promise((resolve) => rotating.close(resolve));
    rotating = await start(ports.rotating, signingKey());
    res.writeHead(204).end();
  } else {
    res.writeHead(404).end();
  }
});
await new Promise((resolve) => control.listen(0, '127.0.0.1', resolve));
ports.control = control.address().port;

const parent = process.ppid;
setInterval(() => {
  if (process.ppid !== parent) process.exit(0);
}, 1000).unref();
process.stdout.write(`${JSON.stringify(ports)}\n`);
