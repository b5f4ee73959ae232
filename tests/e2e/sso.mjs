// Single sign-on in a real browser against a real OpenID provider (npm oidc-provider, started by
// `run`): the school's admin adds the provider at /admin/sso, then a newcomer clicks "Sign in with
// Northwind's provider", signs in on the provider's own page and lands back at the school with a
// new account whose role the provider's `groups` claim mapped. Logging out goes to the provider.
// Usage: BASE_PORT=8080 ISSUER=http://127.0.0.1:PORT SCHOOL=northwind ADMIN=admin@northwind.test node sso.mjs
// (the admin signed up earlier, with the journeys' password).
import { launch } from './browser.mjs';
import { audit } from './a11y.mjs';
import assert from 'node:assert/strict';

const port = process.env.BASE_PORT || '8080';
const school = process.env.SCHOOL || 'northwind';
const admin = process.env.ADMIN || 'admin@northwind.test';
const issuer = process.env.ISSUER;
const base = `http://${school}.localhost:${port}`;

const browser = await launch();
let passed = 0;
const step = (name) => { passed += 1; console.log(`ok - ${name}`); };

try {
  const adminPage = await (await browser.newContext()).newPage();
  await adminPage.goto(`${base}/login`);
  await adminPage.fill('#email', admin);
  await adminPage.fill('#password', 'a long and uncommon passphrase');
  await Promise.all([adminPage.waitForURL((u) => !u.pathname.startsWith('/login')), adminPage.click('button[type=submit]')]);
  await adminPage.goto(`${base}/admin/sso`);
  await adminPage.fill('#sso-name', 'northwind-id');
  await adminPage.fill('#sso-label', "Northwind's provider");
  await adminPage.fill('#sso-issuer', issuer);
  await adminPage.fill('#sso-client', 'eduflow');
  await adminPage.fill('#sso-secret', 'eduflow-secret');
  await adminPage.fill('#sso-scopes', 'openid email profile groups');
  await adminPage.fill('#sso-claim', 'groups');
  await adminPage.fill('#sso-map', 'staff = instructor');
  await adminPage.fill('#sso-domains', 'northwind.test');
  await Promise.all([adminPage.waitForURL(`${base}/admin/sso`), adminPage.click('#sso-provider button[type=submit]')]);
  const listed = await adminPage.textContent('#providers');
  assert.match(listed, /Sign in with Northwind's provider/);
  assert.ok(!(await adminPage.content()).includes('eduflow-secret'), 'the secret is not shown again');
  await audit(adminPage, 'admin: single sign-on with a provider');
  step('the admin adds the school\'s provider; its secret is not shown again');

  const stamp = Date.now();
  const email = `sso-${stamp}@northwind.test`;
  const page = await (await browser.newContext()).newPage();
  await page.goto(`${base}/login`);
  await audit(page, 'log-in page with a provider button');
  await Promise.all([
    page.waitForURL((u) => u.origin === issuer),
    page.click("text=Sign in with Northwind's provider"),
  ]);
  await page.fill('input[name=login]', `${email};groups=staff;name=Sam Single`);
  await page.fill('input[name=password]', 'anything');
  await Promise.all([page.waitForURL(`${base}/`), page.click('button[type=submit]')]);
  assert.equal(await page.textContent('.who'), 'Sam Single');
  step('"Sign in with Northwind\'s provider" signs a newcomer in on the provider\'s page');

  await page.goto(`${base}/api/v1/me`);
  const me = JSON.parse(await page.textContent('body'));
  assert.equal(me.email, email);
  assert.equal(me.role, 'instructor');
  step('the account was made with the role the provider\'s groups map to');

  await page.goto(`${base}/learn`);
  await Promise.all([page.waitForURL((u) => u.origin === issuer), page.click('form[action="/logout"] button')]);
  step('logging out goes on to the provider');
  await page.goto(`${base}/api/v1/me`);
  assert.match(await page.textContent('body'), /sign in first/);
  step('and the EduFlow session is over');
  console.log(`# sso: ${passed} steps passed`);
} finally {
  await browser.close();
}
