// A learner's journey in a real browser: sign up at a demo school, filter the catalog, enroll,
// open a lesson, mark it complete, see 1/N on /learn, log out.
// Usage: BASE_PORT=8080 SCHOOL=northwind SHOTS=dir node journey.mjs
import { launch } from './browser.mjs';
import { audit } from './a11y.mjs';
import assert from 'node:assert/strict';

const port = process.env.BASE_PORT || '8080';
const school = process.env.SCHOOL || 'northwind';
const base = `http://${school}.localhost:${port}`;
const shots = process.env.SHOTS;

const browser = await launch();
let passed = 0;
const step = (name) => { passed += 1; console.log(`ok - ${name}`); };
try {
  const page = await browser.newPage();
  const email = `learner-${Date.now()}@example.org`;

  await page.goto(`${base}/signup`);
  await audit(page, 'sign-up page');
  await page.fill('#name', 'Grace Hopper');
  await page.fill('#email', email);
  await page.fill('#password', 'a long and uncommon passphrase');
  await Promise.all([page.waitForURL(`${base}/`), page.click('button[type=submit]')]);
  assert.equal(await page.textContent('.who'), 'Grace Hopper');
  await audit(page, 'home page, signed in');
  step('sign up');

  await page.goto(`${base}/courses`);
  const category = await page.$eval('#category option:nth-child(2)', (o) => o.value);
  await page.selectOption('#category', category);
  await Promise.all([page.waitForURL(/category=/), page.click('.filters button[type=submit]')]);
  await audit(page, 'catalog, filtered');
  const cards = await page.$$('.card');
  assert.ok(cards.length > 0 && cards.length <= 12, `expected 1-12 cards, got ${cards.length}`);
  assert.ok(page.url().includes(`category=${category}`));
  step(`filter the catalog by ${category} (${cards.length} courses)`);

  await Promise.all([page.waitForURL(/\/courses\/[^/?]+$/), page.click('.card h3 a')]);
  const courseUrl = page.url();
  await audit(page, 'course page');
  await Promise.all([page.waitForURL(courseUrl), page.click('form.enroll button')]);
  const status = await page.textContent('.enrolled');
  const total = Number(/0\/(\d+) lessons complete/.exec(status)[1]);
  assert.ok(total > 1, status);
  await audit(page, 'course page, enrolled');
  step(`enroll (${total} lessons)`);

  await Promise.all([page.waitForURL(/\/lessons\//), page.click('ol.lessons li a >> nth=1')]);
  assert.ok(await page.isVisible('.lesson-body'));
  await audit(page, 'text lesson');
  const lessonUrl = page.url();
  await Promise.all([page.waitForURL((u) => u.toString() !== lessonUrl), page.click('text=Mark complete')]);
  step('open a lesson and mark it complete');

  // The free-preview lesson is a video: it loads, plays, and its position survives a reload.
  await page.goto(courseUrl);
  await Promise.all([page.waitForURL(/\/lessons\//), page.click('ol.lessons li a >> nth=0')]);
  const videoLesson = page.url();
  await page.$eval('video', (v) => new Promise((ok) => (v.readyState >= 1 ? ok() : v.addEventListener('loadedmetadata', ok))));
  await audit(page, 'video lesson');
  step('the lesson video reaches loadedmetadata');
  await page.$eval('video', async (v) => {
    v.muted = true;
    await v.play();
    await new Promise((ok) => setTimeout(ok, 2500));
    v.pause();
  });
  await page.waitForTimeout(1500); // the beacon, then the actor's batched write
  await page.goto(videoLesson);
  const resumeAt = Number(await page.getAttribute('video', 'data-position'));
  assert.ok(resumeAt >= 1, `position not saved: ${resumeAt}`);
  const current = await page.$eval('video', (v) => new Promise((ok) => {
    const report = () => ok(v.currentTime);
    if (v.readyState >= 1 && v.currentTime > 0) report(); else v.addEventListener('seeked', report, { once: true });
  }));
  assert.ok(Math.abs(current - resumeAt) < 1, `resumed at ${current}, saved ${resumeAt}`);
  step(`play, pause and resume at ${resumeAt}s`);

  await page.goto(`${base}/learn`);
  assert.equal(await page.textContent('.progress-count'), `1/${total}`);
  await audit(page, '/learn');
  step(`see 1/${total} on /learn`);
  if (shots) await page.screenshot({ path: `${shots}/learn.png`, fullPage: true });

  await Promise.all([page.waitForURL(`${base}/`), page.click('text=Log out')]);
  assert.ok(await page.isVisible('a[href="/login"]'));
  await page.goto(`${base}/learn`);
  assert.ok(page.url().startsWith(`${base}/login`));
  step('log out');
  console.log(`journey: ${passed} passed, 0 failed`);
} finally {
  await browser.close();
}
