// Assessment in a real browser: an instructor writes a course whose last lesson is a quiz pasted
// in Moodle's GIFT format (previewed, then saved); a learner completes the lessons, fails the
// quiz once, passes it, downloads the certificate (a PDF that pdftotext reads back with their
// name) and opens its public verification page.
// Usage: BASE_PORT=8080 SCHOOL=northwind ADMIN=admin@northwind.test node assessment.mjs
import { launch } from './browser.mjs';
import { audit } from './a11y.mjs';
import assert from 'node:assert/strict';
import { execFileSync } from 'node:child_process';
import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';

const port = process.env.BASE_PORT || '8080';
const school = process.env.SCHOOL || 'northwind';
const admin = process.env.ADMIN || 'admin@northwind.test';
const password = 'a long and uncommon passphrase';
const base = `http://${school}.localhost:${port}`;

const GIFT = `// Exported from Moodle
::Capital::What is the capital of France? {
  =Paris#Right: Paris it is.
  ~Lyon#Lyon is the third largest city.
}

::Sun::The sun rises in the east. {TRUE#Look at a sunrise again.#Indeed.}
`;

const browser = await launch();
let passed = 0;
const step = (name) => { passed += 1; console.log(`ok - ${name}`); };

// A new account, or (if this school already has it) the existing one.
async function enter(name, email) {
  const page = await (await browser.newContext({ acceptDownloads: true })).newPage();
  await page.goto(`${base}/signup`);
  await page.fill('#name', name);
  await page.fill('#email', email);
  await page.fill('#password', password);
  await page.click('button[type=submit]');
  await page.waitForLoadState();
  if (page.url().endsWith('/signup')) {
    await page.goto(`${base}/login`);
    await page.fill('#email', email);
    await page.fill('#password', password);
    await Promise.all([page.waitForURL(`${base}/`), page.click('button[type=submit]')]);
  }
  return page;
}

try {
  const stamp = Date.now();
  const adminPage = await enter('Ada Admin', admin);
  const teacherEmail = `quizzer-${stamp}@example.org`;
  const teacher = await enter('Quinn Quizzer', teacherEmail);
  await adminPage.goto(`${base}/admin/members`);
  const row = adminPage.locator('tr', { hasText: teacherEmail });
  await row.locator('select[name=role]').selectOption('instructor');
  await Promise.all([adminPage.waitForURL(`${base}/admin/members`), row.locator('button').click()]);

  const title = `Geography Basics ${stamp}`;
  await teacher.goto(`${base}/author/courses/new`);
  await teacher.fill('#title', title);
  await teacher.fill('#summary', 'Capitals and sunrises.');
  await teacher.selectOption('#category', 'design');
  await teacher.selectOption('#level', 'beginner');
  await Promise.all([teacher.waitForURL(/\/author\/courses\/[0-9a-f-]{36}$/), teacher.click('#course-form button[type=submit]')]);
  const editor = teacher.url();
  await teacher.fill('#new-section', 'Week one');
  await Promise.all([teacher.waitForURL(editor), teacher.click('text=Add section')]);
  await Promise.all([teacher.waitForURL(/\/lessons\/new$/), teacher.click('text=Add a lesson')]);
  await teacher.fill('#title', 'Reading');
  await teacher.fill('#body', 'Paris is the capital of France.');
  await Promise.all([teacher.waitForURL(/\/lessons\/[0-9a-f-]{36}$/), teacher.click('#save-lesson')]);

  await teacher.goto(editor);
  await Promise.all([teacher.waitForURL(/\/lessons\/new$/), teacher.click('text=Add a lesson')]);
  await teacher.fill('#title', 'Final quiz');
  await teacher.fill('#gift', 'What? {=a -> b}');
  await teacher.click('#preview-quiz');
  await teacher.waitForSelector('#gift-error');
  assert.match(await teacher.textContent('#gift-error'), /line 1: Matching questions/);
  await audit(teacher, 'authoring: lesson editor with a field error');
  await teacher.fill('#gift', GIFT);
  await teacher.fill('#pass_mark', '100');
  await teacher.fill('#max_attempts', '3');
  await teacher.click('#preview-quiz');
  await teacher.waitForSelector('.quiz-preview');
  assert.match(await teacher.textContent('.quiz-preview'), /Paris \(100%\)/);
  await audit(teacher, 'authoring: quiz preview');
  step('the instructor pastes a GIFT quiz and previews it (a mistake is shown by its line)');
  await Promise.all([teacher.waitForURL(/\/lessons\/[0-9a-f-]{36}$/), teacher.click('#save-lesson')]);
  assert.ok(await teacher.isVisible('text=Export as GIFT'));
  await teacher.goto(editor);
  await Promise.all([teacher.waitForURL(editor), teacher.click('.publishing button')]);
  assert.match(await teacher.textContent('.publishing'), /Published/);
  step('the instructor saves the quiz lesson and publishes the course');

  const learner = await enter('Léa Learner', `learner-${stamp}@example.org`);
  await learner.goto(`${base}/courses`);
  await Promise.all([learner.waitForURL(/\/courses\/geography-basics/), learner.click(`text=${title}`)]);
  const course = learner.url();
  await Promise.all([learner.waitForURL(course), learner.click('form.enroll button')]);
  await Promise.all([learner.waitForURL(/\/lessons\/reading$/), learner.click('ol.lessons li a >> nth=0')]);
  await Promise.all([learner.waitForURL(/\/lessons\/final-quiz$/), learner.click('text=Mark complete')]);
  step('the learner enrolls and completes the reading');

  await audit(learner, 'quiz lesson');
  const html = await learner.content();
  for (const secret of ['Paris it is', 'third largest', 'Indeed', 'sunrise again']) {
    assert.ok(!html.includes(secret), `${secret} is in the quiz page`);
  }
  const answer = async (capital, sun) => {
    await learner.check(`.question:has-text("capital of France") label:has-text("${capital}") input`);
    await learner.check(`.question:has-text("sun rises") label:has-text("${sun}") input`);
    await Promise.all([learner.waitForURL(/\/attempts\/[0-9a-f-]{36}$/), learner.click('text=Submit answers')]);
  };
  await answer('Lyon', 'True');
  assert.match(await learner.textContent('.result'), /Not passed/);
  assert.match(await learner.textContent('.marked'), /Lyon is the third largest city\./);
  assert.match(await learner.textContent('h1'), /50%/);
  await audit(learner, 'quiz result');
  step('the learner fails the quiz once and reads the feedback');

  await Promise.all([learner.waitForURL(/\/lessons\/final-quiz$/), learner.click('text=Try again')]);
  await answer('Paris', 'True');
  assert.match(await learner.textContent('.result'), /Passed/);
  assert.match(await learner.textContent('h1'), /100%/);
  step('the learner passes on the second attempt');

  await learner.goto(`${base}/learn`);
  const card = learner.locator('.card', { hasText: title });
  assert.match(await card.textContent(), /Course complete/);
  await audit(learner, '/learn with a certificate');
  const [download] = await Promise.all([learner.waitForEvent('download'), card.locator('text=Download certificate').click()]);
  const file = join(mkdtempSync(join(tmpdir(), 'certificate-')), 'certificate.pdf');
  await download.saveAs(file);
  const text = execFileSync('pdftotext', [file, '-']).toString();
  assert.match(text, /Léa Learner/);
  assert.match(text, new RegExp(title));
  step('the learner downloads the certificate, a PDF with their name');

  await Promise.all([learner.waitForURL(/\/certificates\/[0-9a-f-]{36}$/), card.locator('text=Verification page').click()]);
  const verification = learner.url();
  const visitor = await (await browser.newContext()).newPage();
  await visitor.goto(verification);
  assert.equal(await visitor.textContent('.learner'), 'Léa Learner');
  assert.equal(await visitor.textContent('.course'), title);
  assert.match(await visitor.textContent('.result'), /Valid/);
  await audit(visitor, 'certificate verification page');
  step('anyone can open the verification page');
  console.log(`assessment journey: ${passed} passed, 0 failed`);
} finally {
  await browser.close();
}
