// The SAML 2.0 identity provider the tests sign in against: samlify (npm) acting as an IdP,
// signing with a key made at start (openssl), one per run.
//
//     node idp.mjs
//
// Prints `{"port": P}` once listening at http://127.0.0.1:P:
//   GET /metadata                          the IdP's metadata (entityID http://127.0.0.1:P/metadata)
//   GET /sso?SAMLRequest=…&RelayState=…&login=EMAIL[;groups=a+b][&variant=V]
//                                          signs EMAIL in at once (attributes `email`, `groups`) and
//                                          answers the HTML form that POSTs the Response, its
//                                          assertion signed, to the request's ACS. V makes it wrong:
//                                          `unsigned`, `otherkey` (signed by another key under the
//                                          same entity id), `expired`, `audience` (another SP's)
// Exits when its parent does.
import { execFileSync } from 'node:child_process';
import { randomUUID } from 'node:crypto';
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import http from 'node:http';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import * as saml from 'samlify';
import validator from '@authenio/samlify-node-xmllint';

saml.setSchemaValidator(validator);

function keyPair(name) {
  const dir = mkdtempSync(join(tmpdir(), 'eduflow-idp-'));
  execFileSync('openssl', ['req', '-x509', '-newkey', 'rsa:2048', '-nodes', '-keyout', join(dir, 'k'),
    '-out', join(dir, 'c'), '-days', '30', '-subj', `/CN=${name}`], { stdio: 'ignore' });
  const pair = { privateKey: readFileSync(join(dir, 'k')), signingCert: readFileSync(join(dir, 'c')) };
  rmSync(dir, { recursive: true });
  return pair;
}

const server = http.createServer();
await new Promise((resolve) => server.listen(0, '127.0.0.1', resolve));
const base = `http://127.0.0.1:${server.address().port}`;
const idp = saml.IdentityProvider({
  entityID: `${base}/metadata`,
  ...keyPair('eduflow-test-idp'),
  wantAuthnRequestsSigned: false,
  singleSignOnService: [{ Binding: 'urn:oasis:names:tc:SAML:2.0:bindings:HTTP-Redirect', Location: `${base}/sso` }],
  singleLogoutService: [{ Binding: 'urn:oasis:names:tc:SAML:2.0:bindings:HTTP-Redirect', Location: `${base}/slo` }],
  nameIDFormat: ['urn:oasis:names:tc:SAML:1.1:nameid-format:emailAddress'],
});

// Same entity id, another key: what a forger who knows the IdP's name would send.
const impostor = saml.IdentityProvider({
  entityID: `${base}/metadata`,
  ...keyPair('impostor'),
  wantAuthnRequestsSigned: false,
  singleSignOnService: [{ Binding: 'urn:oasis:names:tc:SAML:2.0:bindings:HTTP-Redirect', Location: `${base}/sso` }],
  singleLogoutService: [{ Binding: 'urn:oasis:names:tc:SAML:2.0:bindings:HTTP-Redirect', Location: `${base}/slo` }],
});

const escape = (s) => s.replace(/&/g, '&amp;').replace(/"/g, '&quot;').replace(/</g, '&lt;');

server.on('request', async (req, res) => {
  const url = new URL(req.url, base);
  try {
    if (url.pathname === '/metadata') {
      res.writeHead(200, { 'content-type': 'application/samlmetadata+xml' }).end(idp.getMetadata());
      return;
    }
    if (url.pathname === '/sso') {
      const request = Buffer.from(url.searchParams.get('SAMLRequest'), 'base64');
      const xml = (await import('node:zlib')).inflateRawSync(request).toString();
      const attr = (name) => (xml.match(new RegExp(`${name}="([^"]+)"`)) || [])[1];
      const issuer = (xml.match(/<(?:\w+:)?Issuer[^>]*>([^<]+)</) || [])[1];
      const acs = attr('AssertionConsumerServiceURL');
      const sp = saml.ServiceProvider({
        entityID: issuer,
        assertionConsumerService: [{ Binding: 'urn:oasis:names:tc:SAML:2.0:bindings:HTTP-POST', Location: acs }],
        wantAssertionsSigned: true,
      });
      const [email, ...flags] = (url.searchParams.get('login') || 'someone@example.test').split(';');
      const variant = url.searchParams.get('variant') || '';
      const groups = (flags.find((f) => f.startsWith('groups=')) || 'groups=').slice(7).split('+').filter(Boolean);
      const now = new Date();
      const at = (minutes) => new Date(now.getTime() + minutes * 60000).toISOString();
      const later = variant === 'expired' ? at(-10) : at(5);
      const values = {
        ID: `_${randomUUID()}`,
        AssertionID: `_${randomUUID()}`,
        Destination: acs,
        Audience: variant === 'audience' ? 'http://elsewhere.test/sp' : issuer,
        SubjectRecipient: acs,
        Issuer: `${base}/metadata`,
        IssueInstant: variant === 'expired' ? at(-20) : now.toISOString(),
        StatusCode: 'urn:oasis:names:tc:SAML:2.0:status:Success',
        ConditionsNotBefore: variant === 'expired' ? at(-20) : now.toISOString(),
        ConditionsNotOnOrAfter: later,
        SubjectConfirmationDataNotOnOrAfter: later,
        NameIDFormat: 'urn:oasis:names:tc:SAML:1.1:nameid-format:emailAddress',
        NameID: escape(email),
        InResponseTo: attr('ID'),
        AuthnStatement: '',
        AttributeStatement: `<saml:AttributeStatement><saml:Attribute Name="email"><saml:AttributeValue xsi:type="xs:string">${escape(email)}</saml:AttributeValue></saml:Attribute>`
          + (groups.length ? `<saml:Attribute Name="groups">${groups.map((g) => `<saml:AttributeValue xsi:type="xs:string">${escape(g)}</saml:AttributeValue>`).join('')}</saml:Attribute>` : '')
          + '</saml:AttributeStatement>',
      };
      const signer = variant === 'otherkey' ? impostor : idp;
      const { context } = await signer.createLoginResponse(sp, null, 'post', { email }, (template) => ({
        id: values.ID,
        context: template.replace(/\{(\w+)\}/g, (_, tag) => values[tag] ?? ''),
      }));
      let response = context;
      if (variant === 'unsigned') {
        const xml = Buffer.from(context, 'base64').toString().replace(/<ds:Signature[\s\S]*?<\/ds:Signature>/g, '');
        response = Buffer.from(xml).toString('base64');
      }
      const relay = url.searchParams.get('RelayState') || '';
      res.writeHead(200, { 'content-type': 'text/html' }).end(
        `<form method="post" action="${escape(acs)}"><input type="hidden" name="SAMLResponse" value="${response}">`
        + `<input type="hidden" name="RelayState" value="${escape(relay)}"><button>Continue</button></form>`,
      );
      return;
    }
    res.writeHead(404).end();
  } catch (e) {
    console.error(e);
    res.writeHead(500).end(String(e));
  }
});

const parent = process.ppid;
setInterval(() => {
  if (process.ppid !== parent) process.exit(0);
}, 1000).unref();
process.stdout.write(`${JSON.stringify({ port: server.address().port })}\n`);
