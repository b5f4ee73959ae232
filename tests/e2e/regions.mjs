// Two regions in a real browser: "ams" runs next to the primary, "syd" replays every write to
// ams. A stand-in for Fly's edge (below) sends the browser's requests to syd, replays what syd
// answers with `fly-replay` (refusing bodies over 1 MB, as Fly does), and routes a request with
// `fly-prefer-region` straight to that region. The admin logs in through the edge and uploads a
// course cover larger than 1 MB from the editor: static/upload.js sends the form to ams directly.
// Usage: AMS_PORT=… SYD_PORT=… node regions.mjs   (after instructor.mjs: the admin exists)
import { launch } from './browser.mjs';
import assert from 'node:assert/strict';
import http from 'node:http';

const ports = { ams: Number(process.env.AMS_PORT), syd: Number(process.env.SYD_PORT) };
const routed = { replayed: 0, preferred: 0, refused: 0 };

function forward(port, req, body, extra = {}) {
  return new Promise((resolve, reject) => {
    const out = http.request({ host: '127.0.0.1', port, method: req.method, path: req.url,
      headers: { ...req.headers, ...extra } }, (res) => {
      const chunks = [];
      res.on('data', (c) => chunks.push(c));
      res.on('end', () => resolve({ status: res.statusCode, headers: res.headers, body: Buffer.concat(chunks) }));
    });
    out.on('error', reject);
    out.end(body);
  });
}

const edge = http.createServer(async (req, res) => {
  const chunks = [];
  for await (const c of req) chunks.push(c);
  const body = Buffer.concat(chunks);
  const preferred = ports[req.headers['fly-prefer-region']];
  if (preferred) routed.preferred += 1;
  let answer = await forward(preferred || ports.syd, req, body);
  const replay = answer.headers['fly-replay'];
  if (replay) {
    if (body.length > 1 << 20) {
      routed.refused += 1;
      res.writeHead(502).end();
      return;
    }
    routed.replayed += 1;
    answer = await forward(ports[replay.replace('region=', '')], req, body, { 'fly-replay-src': 'region=syd' });
  }
  const headers = { ...answer.headers };
  delete headers['transfer-encoding'];
  delete headers.connection;
  headers['content-length'] = answer.body.length;
  res.writeHead(answer.status, headers).end(answer.body);
});
await new Promise((ok) => edge.listen(0, '127.0.0.1', ok));
const base = `http://northwind.localhost:${edge.address().port}`;

const browser = await launch();
let passed = 0;
const step = (name) => { passed += 1; console.log(`ok - ${name}`); };

try {
  const page = await (await browser.newContext()).newPage();
  await page.goto(`${base}/login`);
  await page.fill('#email', 'admin@northwind.test');
  await page.fill('#password', 'a long and uncommon passphrase');
  await Promise.all([page.waitForURL(`${base}/`), page.click('button[type=submit]')]);
  assert.ok(routed.replayed >= 1);
  step('the login is replayed from syd to ams');

  await page.goto(`${base}/author/courses/new`);
  assert.equal(await page.getAttribute('#course-form', 'data-prefer-region'), 'ams');
  // Noise does not compress: a PNG well over Fly's 1 MB replay limit.
  const cover = Buffer.from(await page.evaluate(() => {
    const c = document.createElement('canvas');
    c.width = 900; c.height = 600;
    const g = c.getContext('2d');
    const img = g.createImageData(900, 600);
    for (let i = 0; i < img.data.length; i += 1) img.data[i] = i % 4 === 3 ? 255 : Math.random() * 256;
    g.putImageData(img, 0, 0);
    return c.toDataURL('image/png').split(',')[1];
  }), 'base64');
  assert.ok(cover.length > 1 << 20, `${cover.length} bytes`);
  const title = `Replayed Regions ${Date.now()}`;
  await page.fill('#title', title);
  await page.fill('#summary', 'Uploaded from the other side of the world.');
  await page.selectOption('#category', 'design');
  await page.setInputFiles('#cover', { name: 'cover.png', mimeType: 'image/png', buffer: cover });
  await Promise.all([page.waitForURL(/\/author\/courses\/[0-9a-f-]{36}$/), page.click('#course-form button[type=submit]')]);
  assert.ok(await page.isVisible('img.cover-preview'));
  assert.equal(await page.inputValue('#title'), title);
  assert.equal(routed.refused, 0);
  assert.ok(routed.preferred >= 1);
  step(`a ${(cover.length / 1048576).toFixed(1)} MB cover goes straight to ams with fly-prefer-region`);
} finally {
  await browser.close();
  edge.close();
}
console.log(`regions journey: ${passed} passed, 0 failed`);
