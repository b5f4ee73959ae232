// Languages and accessibility in a real browser: axe fails a page with a deliberate violation;
// the demo school riverside in Arabic renders right to left, mirrored, with every page type
// passing WCAG 2.2 A and AA; and a learner who uses only the keyboard signs up, finds a course,
// enrolls, plays a lesson and takes a quiz, with the focus always visible.
// In Arabic too: a password reset and an invitation by mail (MAILDIR, the journeys' SMTP server),
// and the log-in page with a sign-in provider's button (ISSUER, the journeys' OpenID provider).
// Run after assessment.mjs: the keyboard learner takes the quiz that journey published.
// Usage: BASE_PORT=8080 MAILDIR=dir ISSUER=http://127.0.0.1:PORT node languages.mjs
import { launch } from './browser.mjs';
import { audit, violations } from './a11y.mjs';
import { linkTo } from './mail.mjs';
import assert from 'node:assert/strict';
import { execFileSync } from 'node:child_process';
import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';

const port = process.env.BASE_PORT || '8080';
const riverside = `http://riverside.localhost:${port}`;
const northwind = `http://northwind.localhost:${port}`;
const password = 'a long and uncommon passphrase';
const maildir = process.env.MAILDIR;
const issuer = process.env.ISSUER;

// Riverside's mail links point at its own domain, which the browser maps to this machine.
const browser = await launch([
  '--autoplay-policy=no-user-gesture-required',
  '--host-resolver-rules=MAP courses.riverside.test 127.0.0.1',
]);
let passed = 0;
const step = (name) => { passed += 1; console.log(`ok - ${name}`); };
const dir = (page) => page.$eval('html', (h) => [h.lang, h.dir]);
/** A mailed link, opened in Arabic (`?lang=ar` sets the cookie on the link's host). */
const inArabic = (link) => {
  const url = new URL(link);
  url.searchParams.set('lang', 'ar');
  return url.href;
};

try {
  // A page that breaks a rule fails the audit: an image without alternative text.
  const probe = await browser.newPage();
  await probe.goto(`${riverside}/`);
  await probe.evaluate(() => {
    const img = document.createElement('img');
    img.src = '/static/logos/riverside.svg';
    document.querySelector('main').append(img);
  });
  const found = await violations(probe);
  assert.ok(found.some((v) => v.id === 'image-alt'), JSON.stringify(found.map((v) => v.id)));
  await assert.rejects(audit(probe, 'a page with an image without alt'), /image-alt/);
  step('axe fails a page with an image that has no alt text');

  // Arabic, chosen with ?lang=ar: every page right to left, mirrored, and passing axe.
  const page = await browser.newPage();
  await page.goto(`${riverside}/courses?lang=ar`);
  assert.equal(page.url(), `${riverside}/courses`);
  assert.deepEqual(await dir(page), ['ar', 'rtl']);
  const width = page.viewportSize().width;
  const brand = await page.locator('.brand').boundingBox();
  assert.ok(brand.x > width / 2, `the brand should sit on the right in Arabic: x=${brand.x}`);
  const arrow = await page.$$eval('.arrow', (as) => as.map((a) => getComputedStyle(a).transform));
  assert.ok(arrow.every((t) => t !== 'none'), `arrows not mirrored: ${arrow}`);
  await audit(page, 'Arabic: catalog');
  step('?lang=ar gives right-to-left pages, mirrored (the brand on the right, arrows turned)');

  await page.goto(`${riverside}/`);
  await audit(page, 'Arabic: home');
  const course = await page.$eval('.card h3 a', (a) => a.getAttribute('href'));
  await page.goto(`${riverside}${course}`);
  await audit(page, 'Arabic: course page');
  await page.click('ol.lessons li a >> nth=0');
  await page.waitForURL(/\/lessons\//);
  const controls = await page.$eval('video', (v) => getComputedStyle(v).direction).catch(() => 'ltr');
  assert.equal(controls, 'ltr', 'media controls do not mirror');
  await audit(page, 'Arabic: lesson');
  for (const path of ['/signup', '/login', '/password/forgot', '/courses/no-such-course']) {
    await page.goto(`${riverside}${path}`);
    assert.deepEqual(await dir(page), ['ar', 'rtl']);
    await audit(page, `Arabic: ${path}`);
  }
  await page.goto(`${riverside}/signup`);
  const layla = `layla-${Date.now()}@example.org`;
  await page.fill('#name', 'ليلى');
  await page.fill('#email', layla);
  await page.fill('#password', password);
  await Promise.all([page.waitForURL(`${riverside}/`), page.click('form.stacked button[type=submit]')]);
  for (const path of ['/learn', '/account']) {
    await page.goto(`${riverside}${path}`);
    assert.deepEqual(await dir(page), ['ar', 'rtl']);
    await audit(page, `Arabic: ${path}`);
  }
  await page.goto(`${riverside}${course}`);
  await Promise.all([page.waitForURL(`${riverside}${course}`), page.click('form.enroll button')]);
  await audit(page, 'Arabic: course page, enrolled');

  // The school's admin, in Arabic: every admin page, and a course with a quiz authored, published
  // and taken, to its certificate.
  const admin = await browser.newPage();
  await admin.goto(`${riverside}/signup?lang=ar`);
  await admin.fill('#name', 'مديرة المدرسة');
  await admin.fill('#email', 'admin@riverside.test');
  await admin.fill('#password', password);
  await Promise.all([admin.waitForURL(`${riverside}/`), admin.click('form.stacked button[type=submit]')]);
  for (const path of ['members', 'learners', 'api', 'sso', 'webhooks', 'lti', 'audit', 'school']) {
    await admin.goto(`${riverside}/admin/${path}`);
    assert.deepEqual(await dir(admin), ['ar', 'rtl']);
    await audit(admin, `Arabic: admin ${path}`);
  }

  // The pages reached by mail and by a sign-in provider, in Arabic.
  await admin.goto(`${riverside}/admin/sso`);
  const provider = {
    name: 'riverside-id', label: 'بوابة ريفرسايد', issuer, client: 'eduflow', secret: 'eduflow-secret', scopes: 'openid email profile',
  };
  for (const [field, value] of Object.entries(provider)) await admin.fill(`#sso-${field}`, value);
  await Promise.all([admin.waitForURL(`${riverside}/admin/sso`), admin.click('#sso-provider button[type=submit]')]);
  await audit(admin, 'Arabic: admin sso with a provider');
  const visitor = await (await browser.newContext()).newPage();
  await visitor.goto(`${riverside}/login?lang=ar`);
  assert.deepEqual(await dir(visitor), ['ar', 'rtl']);
  assert.match(await visitor.textContent('main'), /بوابة ريفرسايد/);
  await audit(visitor, 'Arabic: log-in page with a provider button');
  await visitor.goto(`${riverside}/password/forgot`);
  await visitor.fill('#email', layla);
  await visitor.click('button[type=submit]');
  await visitor.waitForSelector('#reset-sent');
  const reset = await linkTo(maildir, layla, '/password/reset/');
  assert.match(reset.mail.text, /[\u0600-\u06ff]/, 'the reset mail is in Arabic, as asked');
  await visitor.goto(inArabic(reset.link));
  assert.deepEqual(await dir(visitor), ['ar', 'rtl']);
  await audit(visitor, 'Arabic: password reset link');
  await admin.goto(`${riverside}/admin/members`);
  const invitee = `invited-ar-${Date.now()}@example.org`;
  await admin.fill('#invite-email', invitee);
  await admin.fill('#invite-name', 'سلمى');
  await admin.selectOption('#invite-role', 'learner');
  await admin.click('#invite-one button[type=submit]');
  await admin.waitForSelector('#sent');
  const invitation = await linkTo(maildir, invitee, '/invitations/');
  await visitor.goto(inArabic(invitation.link));
  assert.deepEqual(await dir(visitor), ['ar', 'rtl']);
  assert.equal(await visitor.inputValue('#name'), 'سلمى');
  await audit(visitor, 'Arabic: invitation page');
  await visitor.close();

  await admin.goto(`${riverside}/author/courses/new`);
  await audit(admin, 'Arabic: authoring, new course');
  const title = `جغرافيا ${Date.now()}`;
  await admin.fill('#title', title);
  await admin.fill('#slug', `geo-ar-${Date.now()}`);
  await admin.fill('#summary', 'العواصم');
  await Promise.all([admin.waitForURL(/\/author\/courses\/[0-9a-f-]{36}$/), admin.click('#course-form button[type=submit]')]);
  const editor = admin.url();
  await audit(admin, 'Arabic: authoring, course editor');
  await admin.fill('#new-section', 'الأسبوع الأول');
  await Promise.all([admin.waitForURL(editor), admin.click('form[action$="/sections"] button[type=submit]')]);
  await Promise.all([admin.waitForURL(/\/lessons\/new$/), admin.click('.section-block a[href$="/lessons/new"]')]);
  await admin.fill('#title', 'اختبار');
  await admin.fill('#slug', 'quiz');
  await admin.fill('#gift', 'What? {=a -> b}');
  await admin.click('#preview-quiz');
  await admin.waitForSelector('#gift-error');
  assert.match(await admin.textContent('#gift-error'), /السطر \u2068?١\u2069?: أسئلة المطابقة/);
  await audit(admin, 'Arabic: authoring, lesson editor with a GIFT error');
  await admin.fill('#gift', '::Capital::What is the capital of France? {=Paris ~Lyon}');
  await admin.click('#preview-quiz');
  await admin.waitForSelector('.quiz-preview');
  await audit(admin, 'Arabic: authoring, lesson editor with a quiz preview');
  await Promise.all([admin.waitForURL(/\/lessons\/[0-9a-f-]{36}$/), admin.click('#save-lesson')]);
  await admin.goto(editor);
  await Promise.all([admin.waitForURL(editor), admin.click('.publishing button')]);
  await admin.goto(`${riverside}/author`);
  await audit(admin, 'Arabic: authoring, course list');

  await page.goto(`${riverside}/courses?q=${encodeURIComponent(title)}`);
  await Promise.all([page.waitForURL(/\/courses\/geo-ar-/), page.click('.card h3 a')]);
  await page.click('form.enroll button');
  await page.waitForSelector('.enrolled');
  await Promise.all([page.waitForURL(/\/lessons\/quiz$/), page.click('ol.lessons li a >> nth=0')]);
  await audit(page, 'Arabic: quiz lesson');
  await page.check('.question label:has-text("Paris") input');
  await Promise.all([page.waitForURL(/\/attempts\/[0-9a-f-]{36}$/), page.click('.quiz-form button[type=submit]')]);
  await audit(page, 'Arabic: quiz result');
  await Promise.all([page.waitForURL(/\/certificates\/[0-9a-f-]{36}$/), page.click('a[href^="/certificates/"]:not([href$="/pdf"])')]);
  assert.deepEqual(await dir(page), ['ar', 'rtl']);
  await audit(page, 'Arabic: certificate verification page');
  // The learner's attempt is in the course's gradebook, in Arabic.
  await admin.goto(`${editor}/grades`);
  assert.deepEqual(await dir(admin), ['ar', 'rtl']);
  assert.ok(await admin.locator('#grades tbody th[scope=row]').count() > 0);
  await audit(admin, 'Arabic: gradebook');
  await admin.close();
  step('every Arabic page type passes WCAG 2.2 A and AA');

  // The learner signed up in Arabic, so the certificate is printed in Arabic.
  const [download] = await Promise.all([page.waitForEvent('download'), page.click('a[href$="/pdf"]')]);
  const file = join(mkdtempSync(join(tmpdir(), 'certificate-')), 'certificate.pdf');
  await download.saveAs(file);
  const printed = execFileSync('pdftotext', [file, '-']).toString();
  assert.match(printed, /شهادة إتمام/);
  assert.match(printed, /ليلى/);
  // The course's title, as written (a text extractor may order its number and word either way).
  for (const word of title.split(' ')) assert.ok(printed.includes(word), printed);
  step('the Arabic learner downloads an Arabic certificate');

  // The dark theme, where the reader's system asks for it: every colour still reads (links take
  // the lighter shade /brand.css computes from the school's accent), in both directions.
  const dark = await browser.newPage({ colorScheme: 'dark' });
  for (const [site, lang] of [[northwind, 'en'], [riverside, 'ar']]) {
    await dark.goto(`${site}/?lang=${lang}`);
    const background = await dark.$eval('body', (b) => getComputedStyle(b).backgroundColor);
    assert.equal(background, 'rgb(17, 24, 39)', 'the page follows prefers-color-scheme: dark');
    await audit(dark, `dark theme (${lang}): home`);
    const path = await dark.$eval('.card h3 a', (a) => a.getAttribute('href'));
    await dark.goto(`${site}${path}`);
    await audit(dark, `dark theme (${lang}): course page`);
    await dark.click('ol.lessons li a >> nth=0');
    await dark.waitForURL(/\/lessons\//);
    await audit(dark, `dark theme (${lang}): lesson`);
    await dark.goto(`${site}/login`);
    await dark.fill('#email', 'nobody@example.org');
    await dark.fill('#password', 'not the password');
    await dark.click('form.stacked button[type=submit]');
    await dark.waitForSelector('.errors');
    await audit(dark, `dark theme (${lang}): log-in page with an error`);
  }
  await dark.close();
  step('the dark theme passes WCAG 2.2 A and AA in both directions');

  // Keyboard only: Tab, Shift+Tab, Enter and Space, the focus visible at every stop (in a window
  // of its own: the others would keep the focus).
  await probe.close();
  await page.close();
  const keys = await browser.newPage();
  const focusVisible = () => keys.evaluate(() => {
    const el = document.activeElement;
    if (!el || el === document.body) return { ok: false, what: 'nothing focused' };
    const s = getComputedStyle(el);
    const ring = s.outlineStyle !== 'none' && parseFloat(s.outlineWidth) >= 2;
    return { ok: ring && el.matches(':focus-visible'), what: el.outerHTML.slice(0, 80) };
  });
  const tabTo = async (selector, { back = false, within = '' } = {}) => {
    for (let i = 0; i < 80; i += 1) {
      await keys.keyboard.press(back ? 'Shift+Tab' : 'Tab');
      const seen = await focusVisible();
      // Past the last element the focus leaves the page for a step (the browser's own UI).
      if (seen.what === 'nothing focused') continue;
      assert.ok(seen.ok, `focus not visible on ${seen.what}`);
      const here = await keys.evaluate(([s, w]) => {
        const el = document.activeElement;
        return el?.matches(s) && (!w || el.closest('.question')?.textContent.includes(w));
      }, [selector, within]);
      if (here) return;
    }
    throw new Error(`Tab never reached ${selector}`);
  };
  await keys.goto(`${northwind}/`);
  await tabTo('.skip');
  // The fragment lands after the key press returns; wait for it rather than read it at once.
  await Promise.all([keys.waitForURL(/#main$/), keys.keyboard.press('Enter')]);
  await tabTo('a[href="/signup"]', { back: true });
  await Promise.all([keys.waitForURL(`${northwind}/signup`), keys.keyboard.press('Enter')]);
  await tabTo('#name');
  await keys.keyboard.type('Kim Keys');
  await tabTo('#email');
  await keys.keyboard.type(`keys-${Date.now()}@example.org`);
  await tabTo('#password');
  await keys.keyboard.type(password);
  await Promise.all([keys.waitForURL(`${northwind}/`), keys.keyboard.press('Enter')]);
  assert.equal(await keys.textContent('.who'), 'Kim Keys');
  step('keyboard: sign up');

  await tabTo('#q');
  await keys.keyboard.type('Geography');
  await Promise.all([keys.waitForURL(/\/courses\?q=Geography/), keys.keyboard.press('Enter')]);
  await tabTo('.card h3 a');
  await Promise.all([keys.waitForURL(/\/courses\/geography-basics/), keys.keyboard.press('Enter')]);
  const quizCourse = keys.url();
  await tabTo('form.enroll button');
  await keys.keyboard.press('Enter');
  await keys.waitForSelector('.enrolled');
  assert.equal(keys.url(), quizCourse);
  step('keyboard: find a course and enroll');

  await tabTo('ol.lessons li a');
  await Promise.all([keys.waitForURL(/\/lessons\/reading$/), keys.keyboard.press('Enter')]);
  await tabTo('form[action$="/complete"] button');
  await Promise.all([keys.waitForURL(/\/lessons\/final-quiz$/), keys.keyboard.press('Enter')]);
  step('keyboard: read a lesson and mark it complete');

  await tabTo('.question input', { within: 'capital of France' });
  // Arrow keys move within a radio group; Space checks the focused option.
  for (let i = 0; i < 3; i += 1) {
    const label = await keys.evaluate(() => document.activeElement.closest('label').textContent.trim());
    if (label === 'Paris') break;
    await keys.keyboard.press('ArrowDown');
  }
  await keys.keyboard.press('Space');
  await tabTo('.question input', { within: 'sun rises' });
  for (let i = 0; i < 3; i += 1) {
    const label = await keys.evaluate(() => document.activeElement.closest('label').textContent.trim());
    if (label === 'True') break;
    await keys.keyboard.press('ArrowDown');
  }
  await keys.keyboard.press('Space');
  await tabTo('.quiz-form button[type=submit]');
  await Promise.all([keys.waitForURL(/\/attempts\/[0-9a-f-]{36}$/), keys.keyboard.press('Enter')]);
  assert.match(await keys.textContent('.result'), /Passed/);
  step('keyboard: take the quiz and pass');

  // A video lesson plays from the keyboard: focus the player, Space starts it.
  await keys.goto(`${northwind}/courses?category=programming`);
  await tabTo('.card h3 a');
  await Promise.all([keys.waitForURL(/\/courses\/[^/?]+$/), keys.keyboard.press('Enter')]);
  await tabTo('ol.lessons li a');
  await Promise.all([keys.waitForURL(/\/lessons\//), keys.keyboard.press('Enter')]);
  await keys.$eval('video', (v) => { v.muted = true; });
  await tabTo('video');
  await keys.keyboard.press('Space');
  const playing = await keys.$eval('video', (v) => new Promise((ok) => {
    if (!v.paused) ok(true);
    v.addEventListener('playing', () => ok(true), { once: true });
    setTimeout(() => ok(!v.paused), 5000);
  }));
  assert.ok(playing, 'Space on the focused player did not start it');
  step('keyboard: play a video lesson');
  console.log(`languages and accessibility journey: ${passed} passed, 0 failed`);
} finally {
  await browser.close();
}
