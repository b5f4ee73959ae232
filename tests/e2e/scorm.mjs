// SCORM in a real browser: a generated SCORM 1.2 package whose page talks to
// the runtime (LMSInitialize, a location and suspend_data, passed with a raw score, LMSCommit,
// LMSFinish) is imported with the CLI; a learner enrolls, opens the lesson, and the lesson is
// completed by the package's own report. Then the school's admin uploads a SCORM 2004 package of
// two SCOs from the course editor; the learner sees its contents, starts part one, which suspends
// and is left when the learner walks away (its last commit goes by beacon as the page goes);
// coming back, part one resumes from its suspend_data and passes; part two, opened from the
// contents, completes, and so does the lesson.
// Usage: BASE_PORT=8080 EDUFLOW_BIN=… DATABASE_URL=… DATABASE_ADMIN_URL=… node scorm.mjs
import { launch } from './browser.mjs';
import { audit } from './a11y.mjs';
import assert from 'node:assert/strict';
import { execFileSync } from 'node:child_process';
import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';

const port = process.env.BASE_PORT || '8080';
const school = 'northwind';
const host = 'learn.northwind.test';
const base = `http://${host}:${port}`;
const browser = await launch([`--host-resolver-rules=MAP ${host} 127.0.0.1`]);

const SCO = `<!doctype html><html lang="en"><head><meta charset="utf-8"><title>Ladders</title>
<script>
  const api = window.parent.API;
  api.LMSInitialize('');
  api.LMSSetValue('cmi.core.lesson_location', 'page-3');
  api.LMSSetValue('cmi.suspend_data', 'answers=1,2,3');
  api.LMSSetValue('cmi.core.score.raw', '90');
  api.LMSSetValue('cmi.core.lesson_status', 'passed');
  api.LMSCommit('');
  api.LMSFinish('');
</script></head><body><main><h1>Ladder safety</h1><p id="done">Reported.</p></main></body></html>`;
const MANIFEST = `<manifest identifier="m" xmlns:adlcp="http://www.adlnet.org/xsd/adlcp_rootv1p2">
<metadata><schemaversion>1.2</schemaversion></metadata>
<organizations default="o"><organization identifier="o"><title>Safety</title>
<item identifier="ladders" identifierref="r"><title>Ladders</title><adlcp:masteryscore>80</adlcp:masteryscore></item>
</organization></organizations>
<resources><resource identifier="r" adlcp:scormtype="sco" href="index.html"/></resources></manifest>`;

// Part one: fresh, it commits, then suspends and finishes as its page goes; resumed, it passes.
const PART_ONE = `<!doctype html><html lang="en"><head><meta charset="utf-8"><title>Part one</title>
<script>
  const api = window.parent.API_1484_11;
  api.Initialize('');
  const resumed = api.GetValue('cmi.suspend_data');
  if (!resumed) {
    api.SetValue('cmi.location', 'step-2');
    api.SetValue('cmi.suspend_data', 'q1=b');
    api.SetValue('cmi.completion_status', 'incomplete');
    api.Commit('');
    window.addEventListener('pagehide', () => {
      api.SetValue('cmi.exit', 'suspend');
      api.Terminate('');
    });
  } else {
    api.SetValue('cmi.score.scaled', '0.9');
    api.SetValue('cmi.success_status', 'passed');
    api.SetValue('cmi.completion_status', 'completed');
    api.SetValue('cmi.exit', 'normal');
    api.Commit('');
    api.Terminate('');
  }
  addEventListener('DOMContentLoaded', () => {
    document.getElementById('state').textContent = resumed ? 'resumed ' + resumed : 'fresh';
  });
</script></head><body><main><h1>Part one</h1><p id="state"></p></main></body></html>`;
const PART_TWO = `<!doctype html><html lang="en"><head><meta charset="utf-8"><title>Part two</title>
<script>
  const api = window.parent.API_1484_11;
  api.Initialize('');
  api.SetValue('cmi.completion_status', 'completed');
  api.Commit('');
  api.Terminate('');
</script></head><body><main><h1>Part two</h1><p id="done">Done.</p></main></body></html>`;
const MANIFEST_2004 = `<manifest identifier="m2" xmlns="http://www.imsglobal.org/xsd/imscp_v1p1"
  xmlns:adlcp="http://www.adlnet.org/xsd/adlcp_v1p3">
<metadata><schema>ADL SCORM</schema><schemaversion>2004 4th Edition</schemaversion></metadata>
<organizations default="o"><organization identifier="o"><title>Forklift basics</title>
<item identifier="one" identifierref="r1"><title>Part one</title></item>
<item identifier="two" identifierref="r2"><title>Part two</title></item>
</organization></organizations>
<resources><resource identifier="r1" type="webcontent" adlcp:scormType="sco" href="one.html"/>
<resource identifier="r2" type="webcontent" adlcp:scormType="sco" href="two.html"/></resources></manifest>`;

const zip = (dir, files) => {
  for (const [name, text] of Object.entries(files)) writeFileSync(join(dir, name), text);
  execFileSync('python3', ['-c', 'import sys, zipfile; z = zipfile.ZipFile(sys.argv[1], "w"); [z.write(sys.argv[2] + "/" + f, f) for f in sys.argv[3:]]; z.close()', join(dir, 'p.zip'), dir, ...Object.keys(files)]);
  return join(dir, 'p.zip');
};
const until = async (what, check) => {
  for (let i = 0; i < 100; i += 1) {
    if (check()) return;
    await new Promise((ok) => setTimeout(ok, 100));
  }
  throw new Error(`never: ${what}`);
};

try {
  const dir = mkdtempSync(join(tmpdir(), 'scorm-'));
  writeFileSync(join(dir, 'imsmanifest.xml'), MANIFEST);
  writeFileSync(join(dir, 'index.html'), SCO);
  execFileSync('python3', ['-c', 'import sys, zipfile; z = zipfile.ZipFile(sys.argv[1], "w"); [z.write(sys.argv[2] + "/" + f, f) for f in ("imsmanifest.xml", "index.html")]; z.close()', join(dir, 'p.zip'), dir]);
  const sql = (q) => execFileSync('psql', [process.env.DATABASE_URL, '-At',
    '-c', `SELECT set_config('app.tenant_id', (SELECT id::text FROM tenants WHERE slug = '${school}'), false)`,
    '-c', q], { encoding: 'utf8' }).trim().split('\n').pop();
  const course = sql(`SELECT slug FROM courses WHERE published ORDER BY slug LIMIT 1`);
  const lesson = execFileSync(process.env.EDUFLOW_BIN, ['scorm', 'import', '--school', school, '--course', course,
    '--title', `Ladder safety ${Date.now()}`, join(dir, 'p.zip')], { encoding: 'utf8' }).trim();
  const slug = sql(`SELECT slug FROM lessons WHERE id = '${lesson}'`);
  const page = await browser.newPage();
  await page.goto(`${base}/signup`);
  await page.fill('#name', 'Sam Scorm');
  await page.fill('#email', `sam-${Date.now()}@example.org`);
  await page.fill('#password', 'a long and uncommon passphrase');
  await Promise.all([page.waitForURL(`${base}/`), page.click('button[type=submit]')]);
  await page.goto(`${base}/courses/${course}`);
  await Promise.all([page.waitForURL(`${base}/courses/${course}`), page.click('form.enroll button')]);
  await page.goto(`${base}/courses/${course}/lessons/${slug}`);
  await page.frameLocator('iframe[name=sco]').locator('#done').waitFor();
  await audit(page, 'a SCORM lesson playing its package');
  for (let i = 0; i < 50 && sql(`SELECT count(*) FROM lesson_progress WHERE lesson_id = '${lesson}' AND completed_at IS NOT NULL`) === '0'; i += 1) {
    await new Promise((ok) => setTimeout(ok, 100));
  }
  await page.goto(`${base}/courses/${course}/lessons/${slug}`);
  assert.ok(await page.locator('.done').count() > 0, 'the package completed the lesson');
  assert.equal(sql(`SELECT suspend_data FROM scorm_attempts WHERE lesson_id = '${lesson}'`), 'answers=1,2,3');
  console.log('ok - a SCORM 1.2 package plays, reports, and completes its lesson');

  // The admin uploads a SCORM 2004 package of two SCOs from the course editor.
  const password = 'a long and uncommon passphrase';
  const head = await (await browser.newContext()).newPage();
  await head.goto(`${base}/signup`);
  await head.fill('#name', 'Ada Admin');
  await head.fill('#email', 'admin@northwind.test');
  await head.fill('#password', password);
  await head.click('button[type=submit]');
  await head.waitForLoadState();
  if (head.url().endsWith('/signup')) {
    await head.goto(`${base}/login`);
    await head.fill('#email', 'admin@northwind.test');
    await head.fill('#password', password);
    await Promise.all([head.waitForURL((u) => !u.pathname.startsWith('/login')), head.click('button[type=submit]')]);
  }
  const courseId = sql(`SELECT id FROM courses WHERE slug = '${course}'`);
  await head.goto(`${base}/author/courses/${courseId}`);
  const dir2004 = mkdtempSync(join(tmpdir(), 'scorm2004-'));
  const file = zip(dir2004, { 'imsmanifest.xml': MANIFEST_2004, 'one.html': PART_ONE, 'two.html': PART_TWO });
  await head.setInputFiles('#scorm-package', file);
  await Promise.all([
    head.waitForURL((u) => /\/lessons\/[0-9a-f-]{36}$/.test(u.pathname)),
    head.click('form.scorm-import button[type=submit]'),
  ]);
  const lesson2004 = head.url().split('/').pop();
  const slug2004 = sql(`SELECT slug FROM lessons WHERE id = '${lesson2004}'`);
  assert.equal(sql(`SELECT title FROM lessons WHERE id = '${lesson2004}'`), 'Forklift basics');
  console.log('ok - the admin uploads a SCORM 2004 package from the course editor');

  // The learner starts part one, which suspends; they walk away and its last commit is a beacon.
  const attempt = (sco) => sql(`SELECT coalesce(max(location || ' ' || coalesce(suspend_data, '') || ' ' || completed), '') FROM scorm_attempts WHERE lesson_id = '${lesson2004}' AND sco = '${sco}'`);
  await page.goto(`${base}/courses/${course}/lessons/${slug2004}`);
  const frame = page.frameLocator('iframe[name=sco]');
  await frame.locator('#state', { hasText: 'fresh' }).waitFor();
  assert.equal(await page.locator('.scorm-toc button').count(), 2, 'the contents list both parts');
  await audit(page, 'a SCORM lesson of two SCOs with its contents');
  await until('part one committed', () => attempt('one') === 'step-2 q1=b false');
  await page.goto(`${base}/courses/${course}`);
  // Only the last commit, the beacon sent as the page goes, says the SCO is suspended.
  await until('the beacon as part one finished', () =>
    sql(`SELECT count(*) FROM scorm_attempts WHERE lesson_id = '${lesson2004}' AND sco = 'one' AND suspended`) === '1');

  // Back again: part one resumes from its suspend_data, and passes.
  await page.goto(`${base}/courses/${course}/lessons/${slug2004}`);
  await frame.locator('#state', { hasText: 'resumed q1=b' }).waitFor();
  await until('part one passed', () => attempt('one').endsWith(' true'));
  assert.equal(sql(`SELECT count(*) FROM lesson_progress WHERE lesson_id = '${lesson2004}' AND completed_at IS NOT NULL`), '0', 'part two is still to do');

  // Part two from the contents: it completes, and so does the lesson.
  await page.locator('.scorm-toc button', { hasText: 'Part two' }).click();
  await frame.locator('#done').waitFor();
  await until('the lesson completed', () =>
    sql(`SELECT count(*) FROM lesson_progress WHERE lesson_id = '${lesson2004}' AND completed_at IS NOT NULL`) === '1');
  console.log('ok - a SCORM 2004 package resumes from suspend_data after a beacon, and both SCOs complete the lesson');
} finally {
  await browser.close();
}
