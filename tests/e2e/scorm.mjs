// SCORM in a real browser: a generated SCORM 1.2 package whose page talks to
// the runtime (LMSInitialize, a location and suspend_data, passed with a raw score, LMSCommit,
// LMSFinish) is imported with the CLI; a learner enrolls, opens the lesson, and the lesson is
// completed by the package's own report.
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
} finally {
  await browser.close();
}
