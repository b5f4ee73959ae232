// An instructor's journey in a real browser: the school's admin makes a new member an
// instructor; the instructor creates a course with a cover image and a video lesson and
// publishes it; a visitor sees the cover in the catalog and the lesson video reaches
// `loadedmetadata`.
// Usage: BASE_PORT=8080 SCHOOL=northwind ADMIN=admin@northwind.test node instructor.mjs
import { launch } from './browser.mjs';
import { audit } from './a11y.mjs';
import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';

const port = process.env.BASE_PORT || '8080';
const school = process.env.SCHOOL || 'northwind';
const admin = process.env.ADMIN || 'admin@northwind.test';
const base = `http://${school}.localhost:${port}`;
const video = readFileSync(new URL('../../static/demo/lesson.webm', import.meta.url));
const ladder = readFileSync(new URL('./fixtures/ladder.zip', import.meta.url));

const browser = await launch();
let passed = 0;
const step = (name) => { passed += 1; console.log(`ok - ${name}`); };

async function signUp(name, email) {
  const page = await (await browser.newContext()).newPage();
  await page.goto(`${base}/signup`);
  await page.fill('#name', name);
  await page.fill('#email', email);
  await page.fill('#password', 'a long and uncommon passphrase');
  await Promise.all([page.waitForURL(`${base}/`), page.click('button[type=submit]')]);
  return page;
}

try {
  const stamp = Date.now();
  const adminPage = await signUp('Ada Admin', admin);
  const teacherEmail = `teacher-${stamp}@example.org`;
  const teacher = await signUp('Tess Teacher', teacherEmail);
  await teacher.goto(`${base}/author`);
  assert.equal(await teacher.textContent('h1'), 'Forbidden');
  await audit(teacher, 'error page (403)');
  step('a new member cannot author yet');

  await adminPage.goto(`${base}/admin/members`);
  await audit(adminPage, 'admin: members');
  for (const admin of ['learners', 'api', 'sso', 'webhooks', 'audit', 'school']) {
    await adminPage.goto(`${base}/admin/${admin}`);
    await audit(adminPage, `admin: ${admin}`);
  }
  await adminPage.goto(`${base}/admin/members`);
  const row = adminPage.locator('tr', { hasText: teacherEmail });
  await row.locator('select[name=role]').selectOption('instructor');
  await Promise.all([adminPage.waitForURL(`${base}/admin/members`), row.locator('button').click()]);
  assert.equal(await adminPage.locator('tr', { hasText: teacherEmail }).locator('select').inputValue(), 'instructor');
  step('the admin makes them an instructor');

  // A cover drawn in the browser, uploaded as a PNG.
  const cover = Buffer.from(await teacher.evaluate(() => {
    const c = document.createElement('canvas');
    c.width = 1200; c.height = 675;
    const g = c.getContext('2d');
    const grad = g.createLinearGradient(0, 0, 1200, 675);
    grad.addColorStop(0, '#0f766e'); grad.addColorStop(1, '#f59e0b');
    g.fillStyle = grad; g.fillRect(0, 0, 1200, 675);
    return c.toDataURL('image/png').split(',')[1];
  }), 'base64');
  const title = `Field Recording ${stamp}`;
  await teacher.goto(`${base}/author`);
  await audit(teacher, 'authoring: course list');
  await Promise.all([teacher.waitForURL(`${base}/author/courses/new`), teacher.click('text=New course')]);
  await audit(teacher, 'authoring: new course form');
  await teacher.fill('#title', title);
  await teacher.fill('#summary', 'Capture clean sound anywhere.');
  await teacher.fill('#description', 'You will **record**, edit and <script>alert(1)</script>publish.');
  await teacher.selectOption('#category', 'design');
  await teacher.fill('#tags', 'audio, recording');
  await teacher.selectOption('#level', 'beginner');
  await teacher.setInputFiles('#cover', { name: 'cover.png', mimeType: 'image/png', buffer: cover });
  await Promise.all([teacher.waitForURL(/\/author\/courses\/[0-9a-f-]{36}$/), teacher.click('#course-form button[type=submit]')]);
  const editor = teacher.url();
  assert.ok(await teacher.isVisible('img.cover-preview'));
  await audit(teacher, 'authoring: course editor');
  step('the instructor creates a draft course with a cover');

  await teacher.fill('#new-section', 'Getting started');
  await Promise.all([teacher.waitForURL(editor), teacher.click('text=Add section')]);
  await Promise.all([teacher.waitForURL(/\/lessons\/new$/), teacher.click('text=Add a lesson')]);
  await teacher.fill('#title', 'Your first recording');
  await teacher.fill('#body', 'Press *record* and listen.');
  await teacher.check('input[name=free_preview]');
  await teacher.setInputFiles('#video', { name: 'first.webm', mimeType: 'video/webm', buffer: video });
  await teacher.setInputFiles('#captions', { name: 'en.vtt', mimeType: 'text/vtt', buffer: Buffer.from('WEBVTT\n\n00:00.000 --> 00:01.500\nPress record.\n') });
  await teacher.selectOption('#captions_lang', 'en');
  await teacher.fill('#transcript', 'Press record, then listen.');
  await Promise.all([teacher.waitForURL(/\/lessons\/[0-9a-f-]{36}$/), teacher.click('#lesson-form button[type=submit]')]);
  await teacher.$eval('video', (v) => new Promise((ok) => (v.readyState >= 1 ? ok() : v.addEventListener('loadedmetadata', ok))));
  await audit(teacher, 'authoring: lesson editor');
  step('the instructor adds a free-preview video lesson');

  await teacher.goto(editor);
  await Promise.all([teacher.waitForURL(/\/lessons\/new$/), teacher.click('text=Add a lesson')]);
  await teacher.fill('#title', 'Adaptive stream');
  await teacher.check('input[name=free_preview]');
  await teacher.setInputFiles('#hls', { name: 'ladder.zip', mimeType: 'application/zip', buffer: ladder });
  await Promise.all([teacher.waitForURL(/\/lessons\/[0-9a-f-]{36}$/), teacher.click('#lesson-form button[type=submit]')]);
  assert.match(await teacher.textContent('#lesson-form'), /HLS ladder/);
  step('the instructor adds a lesson with an HLS ladder');

  await teacher.goto(editor);
  await Promise.all([teacher.waitForURL(editor), teacher.click('.publishing button')]);
  assert.match(await teacher.textContent('.publishing'), /Published/);
  step('the instructor publishes the course');

  const visitor = await (await browser.newContext()).newPage();
  await visitor.goto(`${base}/courses?tag=recording`);
  const card = visitor.locator('.card', { hasText: title });
  const img = card.locator('img');
  await img.scrollIntoViewIfNeeded();
  await visitor.waitForFunction((t) => {
    const i = [...document.querySelectorAll('.card')].find((c) => c.textContent.includes(t))?.querySelector('img');
    return i && i.complete && i.naturalWidth > 0;
  }, title);
  const shown = await img.evaluate((i) => ({ w: i.naturalWidth, src: i.currentSrc }));
  assert.ok(shown.src.includes('/img/') && shown.w <= 1200, JSON.stringify(shown));
  await audit(visitor, 'catalog by tag, with covers');
  step(`a visitor sees the cover (${shown.w}px variant)`);

  await Promise.all([visitor.waitForURL(/\/courses\/field-recording/), card.locator('h3 a').click()]);
  assert.ok(!(await visitor.content()).includes('<script>alert(1)</script>'));
  assert.equal(await visitor.textContent('.description strong'), 'record');
  await audit(visitor, 'course page, visitor');
  await Promise.all([visitor.waitForURL(/\/lessons\//), visitor.click('ol.lessons li a >> nth=0')]);
  const duration = await visitor.$eval('video', (v) => new Promise((ok) => (v.readyState >= 1 ? ok(v.duration) : v.addEventListener('loadedmetadata', () => ok(v.duration)))));
  assert.ok(duration > 1, `duration ${duration}`);
  const cues = await visitor.$eval('video', (v) => new Promise((ok) => {
    const track = v.querySelector('track');
    v.textTracks[0].mode = 'showing';
    const count = () => ok([...(v.textTracks[0].cues || [])].map((c) => c.text));
    if (track.readyState === 2) count(); else track.addEventListener('load', count);
    setTimeout(() => ok(null), 10000);
  }));
  assert.deepEqual(cues, ['Press record.']);
  assert.match(await visitor.textContent('details.transcript'), /Press record, then listen\./);
  await audit(visitor, 'video lesson with captions and a transcript');
  step(`the visitor's lesson video reaches loadedmetadata (${duration.toFixed(1)} s), with its captions and transcript`);

  // The ladder plays the way the browser can (this Chromium plays HLS natively), and through the
  // vendored hls.js too: its playlists come signed per request, its segments through the origin.
  await Promise.all([visitor.waitForURL(/\/lessons\/adaptive-stream$/), visitor.click('a[rel=next]')]);
  const metadata = (v) => new Promise((ok, fail) => {
    if (v.readyState >= 1) ok(v.duration); else v.addEventListener('loadedmetadata', () => ok(v.duration));
    setTimeout(() => fail(new Error('no loadedmetadata within 20 s')), 20000);
  });
  const native = await visitor.$eval('video', metadata);
  assert.ok(Math.abs(native - 4) < 0.5, `duration ${native}`);
  const viaHlsJs = await visitor.$eval('video', (v) => new Promise((ok, fail) => {
    const copy = document.createElement('video');
    copy.muted = true;
    document.body.append(copy);
    const hls = new window.Hls();
    hls.on(window.Hls.Events.ERROR, (_, e) => e.fatal && fail(new Error(`hls.js: ${e.details}`)));
    copy.addEventListener('loadedmetadata', () => ok({ duration: copy.duration, src: copy.currentSrc }));
    hls.loadSource(v.dataset.hls);
    hls.attachMedia(copy);
    setTimeout(() => fail(new Error('hls.js: no loadedmetadata within 20 s')), 20000);
  }));
  assert.ok(viaHlsJs.src.startsWith('blob:') && Math.abs(viaHlsJs.duration - 4) < 0.5, JSON.stringify(viaHlsJs));
  step(`the HLS ladder reaches loadedmetadata natively and through hls.js (${viaHlsJs.duration.toFixed(1)} s)`);
  console.log(`instructor journey: ${passed} passed, 0 failed`);
} finally {
  await browser.close();
}
