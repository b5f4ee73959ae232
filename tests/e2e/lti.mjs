// LTI 1.3 in a real browser, against a real tool (pylti1p3 in Flask, tests/tools/lti_tool.py):
// the operator registers the tool; an admin picks the tool's content from the course editor
// (Deep Linking) and it becomes a lesson; a learner enrolls, opens the lesson, launches the tool,
// submits a score there, and comes back to find the lesson completed by the tool's grade; the
// admin reads it in the gradebook and overrides it with a comment.
// Usage: BASE_PORT=8080 TOOL_PORT=8110 EDUFLOW_BIN=target/debug/eduflow DATABASE_URL=… \
//   DATABASE_ADMIN_URL=… node lti.mjs
import { launch } from './browser.mjs';
import { audit } from './a11y.mjs';
import assert from 'node:assert/strict';
import { execFileSync } from 'node:child_process';

const port = process.env.BASE_PORT || '8080';
const toolPort = process.env.TOOL_PORT;
const school = process.env.SCHOOL || 'northwind';
const admin = process.env.ADMIN || 'admin@northwind.test';
const host = process.env.SCHOOL_HOST || 'learn.northwind.test';
const base = `http://${host}:${port}`;
const tool = `http://127.0.0.1:${toolPort}`;
const password = 'a long and uncommon passphrase';

const browser = await launch([`--host-resolver-rules=MAP ${host} 127.0.0.1`]);
let passed = 0;
const step = (name) => { passed += 1; console.log(`ok - ${name}`); };

async function enter(name, email) {
  const page = await (await browser.newContext()).newPage();
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
    await Promise.all([page.waitForURL((u) => !u.pathname.startsWith('/login')), page.click('button[type=submit]')]);
  }
  return page;
}

try {
  const stamp = Date.now();
  const name = `Practice ${stamp}`;
  const out = execFileSync(process.env.EDUFLOW_BIN, [
    'lti', 'add-tool', '--school', school, '--name', name,
    '--login-url', `${tool}/login`, '--redirect-uri', `${tool}/launch`,
    '--jwks-url', `${tool}/jwks`, '--deep-linking-url', `${tool}/launch`, '--public-port', port,
  ], { encoding: 'utf8' });
  const reg = Object.fromEntries(out.trim().split('\n').map((l) => l.split('\t')));
  assert.equal(reg.issuer, base);
  const configured = await fetch(`${tool}/configure`, {
    method: 'POST',
    headers: { 'content-type': 'application/json' },
    body: JSON.stringify(reg),
  });
  assert.equal(configured.status, 200);
  step('the operator registers the tool, and the tool the platform');

  // As the runtime role, in the school (row-level security), as EduFlow reads it.
  const sql = (query) => execFileSync('psql', [process.env.DATABASE_URL, '-At',
    '-c', `SELECT set_config('app.tenant_id', (SELECT id::text FROM tenants WHERE slug = '${school}'), false)`,
    '-c', query], { encoding: 'utf8' }).trim().split('\n').pop();
  const courseId = sql(`SELECT c.id FROM courses c JOIN tenants t ON t.id = c.tenant_id WHERE t.slug = '${school}' AND c.published AND EXISTS (SELECT 1 FROM sections s WHERE s.course_id = c.id) ORDER BY c.slug LIMIT 1`);
  const editor = `/author/courses/${courseId}`;
  const adminPage = await enter('Ada Admin', admin);
  await adminPage.goto(`${base}/admin/lti`);
  assert.ok(await adminPage.locator('#tools', { hasText: reg.client_id }).count() > 0);
  await audit(adminPage, 'admin lti with a tool');
  await adminPage.goto(`${base}${editor}`);
  await audit(adminPage, 'course editor with a tool to choose content from');
  await adminPage.selectOption('#lti-tool', { label: name });
  await Promise.all([adminPage.waitForURL(`${tool}/launch`), adminPage.click('text=Choose content')]);
  const title = `Fractions practice ${stamp}`;
  await adminPage.fill('#title', title);
  await Promise.all([adminPage.waitForURL(`${base}${editor}`), adminPage.click('text=Add to course')]);
  assert.ok(await adminPage.locator('text=' + title).count() > 0, 'the chosen content is a lesson');
  step('an admin picks the tool\'s content from the course editor, and it becomes a lesson');

  const course = sql(`SELECT c.slug || ' ' || l.slug FROM lessons l JOIN sections s ON s.id = l.section_id JOIN courses c ON c.id = s.course_id WHERE l.title = '${title}'`).split(' ');
  const lessonUrl = `${base}/courses/${course[0]}/lessons/${course[1]}`;
  const learner = await enter('Lin Learner', `lin-${stamp}@example.org`);
  await learner.goto(`${base}/courses/${course[0]}`);
  await Promise.all([learner.waitForURL(`${base}/courses/${course[0]}`), learner.click('form.enroll button')]);
  await learner.goto(lessonUrl);
  await audit(learner, 'an LTI lesson with its launch');
  await Promise.all([learner.waitForURL(`${tool}/launch`), learner.click('text=Open the activity')]);
  assert.match(await learner.textContent('#who'), /Lin Learner/);
  step('the learner launches the tool, which knows who they are');

  await learner.fill('#score', '85');
  await Promise.all([learner.waitForURL(`${tool}/grade`), learner.click('text=Submit score')]);
  assert.match(await learner.textContent('#sent'), /85/);
  await learner.goto(lessonUrl);
  assert.ok(await learner.locator('.done').count() > 0, 'the lesson is completed');
  await audit(learner, 'an LTI lesson completed by its grade');
  step('the tool posts the grade and the lesson is complete');

  await adminPage.goto(`${base}${editor}/grades`);
  const row = adminPage.locator('#grades tbody tr', { hasText: 'Lin Learner' });
  assert.match(await row.textContent(), /latest 85 %, best 85 %/);
  await audit(adminPage, 'gradebook');
  await adminPage.selectOption('#override-user', { label: await adminPage.locator('#override-user option', { hasText: 'Lin Learner' }).textContent() });
  await adminPage.selectOption('#override-item', { label: title });
  await adminPage.fill('#override-score', '95');
  await adminPage.fill('#override-comment', 'Extra credit for the write-up');
  await Promise.all([adminPage.waitForURL(`${base}${editor}/grades`), adminPage.click('#override button[type=submit]')]);
  assert.match(await row.textContent(), /Extra credit for the write-up/);
  await audit(adminPage, 'gradebook with an override');
  step('the instructor reads the gradebook and overrides the grade with a comment');
  console.log(`${passed} LTI steps passed`);
} finally {
  await browser.close();
}
