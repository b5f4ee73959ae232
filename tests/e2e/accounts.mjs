// Accounts by mail in a real browser, against a real SMTP server (aiosmtpd, whose messages are
// read from MAILDIR): a learner who forgot their password gets a link, chooses a new password
// and logs in with it; an admin invites someone, who accepts and lands enrolled.
// Mailed links point at the school's own host: its custom domain (MAIL_HOST), which the browser
// maps to this machine.
// Usage: BASE_PORT=8080 SCHOOL=northwind ADMIN=admin@northwind.test MAIL_HOST=learn.northwind.test MAILDIR=dir node accounts.mjs
import { launch } from './browser.mjs';
import { audit } from './a11y.mjs';
import assert from 'node:assert/strict';
import { linkTo } from './mail.mjs';

const port = process.env.BASE_PORT || '8080';
const school = process.env.SCHOOL || 'northwind';
const admin = process.env.ADMIN || 'admin@northwind.test';
const maildir = process.env.MAILDIR;
const base = `http://${school}.localhost:${port}`;
const mailHost = process.env.MAIL_HOST || 'learn.northwind.test';
const own = `http://${mailHost}:${port}`;
const password = 'a long and uncommon passphrase';

const browser = await launch([`--host-resolver-rules=MAP ${mailHost} 127.0.0.1`]);
let passed = 0;
const step = (name) => { passed += 1; console.log(`ok - ${name}`); };

/** The mail to `to` with a `path` link, which must start with `subject` and point at the school's own host. */
async function mailedLink(to, subject, path) {
  const { mail, link } = await linkTo(maildir, to, path);
  assert.ok(mail.headers.subject.startsWith(subject), mail.headers.subject);
  assert.ok(link.startsWith(`${own}/`), `${link} is not on ${own}`);
  return link;
}

async function logIn(page, email, secret) {
  await page.fill('#email', email);
  await page.fill('#password', secret);
  await Promise.all([page.waitForURL((u) => !u.pathname.startsWith('/login')), page.click('button[type=submit]')]);
}

try {
  const stamp = Date.now();
  const email = `forgetful-${stamp}@example.org`;
  const first = await (await browser.newContext()).newPage();
  await first.goto(`${base}/signup`);
  await first.fill('#name', 'Forgetful Fay');
  await first.fill('#email', email);
  await first.fill('#password', password);
  await Promise.all([first.waitForURL(`${base}/`), first.click('button[type=submit]')]);
  step('sign up');

  const page = await (await browser.newContext()).newPage();
  await page.goto(`${base}/login`);
  await audit(page, 'log-in page');
  await Promise.all([page.waitForURL(/\/password\/forgot$/), page.click('text=Forgot your password?')]);
  await audit(page, 'password: forgot');
  await page.fill('#email', email);
  await page.click('button[type=submit]');
  await page.waitForSelector('#reset-sent');
  await audit(page, 'password: link on its way');
  step('ask for a reset link');

  const link = await mailedLink(email, 'Reset your password', '/password/reset/');
  step('the reset mail arrives with a link on the school\'s own host');

  await page.goto(link);
  await audit(page, 'password: choose a new one');
  await page.fill('#password', 'my brand new passphrase');
  await Promise.all([page.waitForURL(`${own}/login?reset=1`), page.click('button[type=submit]')]);
  assert.match(await page.textContent('#notice'), /password was changed/);
  await logIn(page, email, 'my brand new passphrase');
  assert.equal(await page.textContent('.who'), 'Forgetful Fay');
  await page.goto(`${base}/account`);
  await audit(page, 'account page');
  step('choose a new password and log in with it');

  // The reset ended the first browser's session.
  await first.goto(`${base}/account`);
  assert.ok(first.url().includes('/login'), first.url());
  step('the other session was ended');

  const adminPage = await (await browser.newContext()).newPage();
  await adminPage.goto(`${base}/login`);
  await logIn(adminPage, admin, password);
  await adminPage.goto(`${base}/courses`);
  const course = await adminPage.$eval('.card h3 a', (a) => new URL(a.href).pathname.split('/').pop());
  await adminPage.goto(`${base}/admin/members`);
  const invitee = `invited-${stamp}@example.org`;
  await adminPage.fill('#invite-email', invitee);
  await adminPage.fill('#invite-name', 'Ivy Invitee');
  await adminPage.selectOption('#invite-role', 'learner');
  await adminPage.fill('#invite-courses', course);
  await adminPage.click('#invite-one button[type=submit]');
  assert.match(await adminPage.textContent('#sent'), /^1 invitation sent/);
  await audit(adminPage, 'admin: invitations sent');
  step(`an admin invites someone into ${course}`);

  const invitation = await mailedLink(invitee, 'You are invited', '/invitations/');
  const accept = await (await browser.newContext()).newPage();
  await accept.goto(invitation);
  assert.equal(await accept.inputValue('#name'), 'Ivy Invitee');
  await audit(accept, 'invitation page');
  await accept.fill('#password', password);
  await Promise.all([accept.waitForURL(`${own}/learn`), accept.click('button[type=submit]')]);
  assert.equal(await accept.textContent('.who'), 'Ivy Invitee');
  assert.ok((await accept.content()).includes(`/courses/${course}`), 'enrolled in the invited course');
  step('the invitee accepts and lands enrolled');
  console.log(`accounts journey: ${passed}/7 steps passed`);
} finally {
  await browser.close();
}
