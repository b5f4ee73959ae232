// Media delivery at a constant arrival rate, the way players and browsers ask for it: Safari's
// `bytes=0-1` probe, seeks (open-ended ranges from a random offset), whole downloads, and cover
// images as AVIF/WebP variants. Every response is checked (206 with the right Content-Range, 200
// with the whole length, the negotiated image type); p95 must stay under 100 ms. Cover variants are
// computed once each in setup, so the scenario measures serving them.
//
// Environment: BASE_URL, BASE_DOMAIN, MEDIA_SCHOOLS (comma-separated; default the demo schools,
// which have video lessons and covers), RATE (requests per second per scenario), DURATION,
// SUMMARY_DIR.
import http from 'k6/http';
import { check, fail } from 'k6';
import { scenarioLines, summaryFiles } from './shared.js';

const BASE = __ENV.BASE_URL || 'http://127.0.0.1:8080';
const DOMAIN = __ENV.BASE_DOMAIN || 'localhost';
const RATE = parseInt(__ENV.RATE || '20', 10);
const DURATION = __ENV.DURATION || '30s';
const SCHOOLS = (__ENV.MEDIA_SCHOOLS || 'northwind,riverside').split(',');
const SCENARIOS = ['probe', 'seek', 'whole', 'cover'];

const scenario = (exec) => ({ executor: 'constant-arrival-rate', exec, rate: RATE, timeUnit: '1s', duration: DURATION, preAllocatedVUs: 5, maxVUs: 40 });
export const options = {
  scenarios: Object.fromEntries(SCENARIOS.map((s) => [s, scenario(s)])),
  thresholds: Object.assign(
    { http_req_failed: ['rate<0.001'], checks: ['rate>0.999'] },
    Object.fromEntries(SCENARIOS.map((s) => [`http_req_duration{scenario:${s}}`, ['p(95)<100']])),
  ),
  summaryTrendStats: ['avg', 'med', 'p(95)', 'p(99)', 'max'],
};

const FORMATS = [['image/avif,image/webp,*/*', 'image/avif'], ['image/webp,*/*', 'image/webp'], ['*/*', 'image/jpeg']];
const pick = (list) => list[Math.floor(Math.random() * list.length)];
const unescape = (s) => s.replace(/&amp;/g, '&').replace(/&#x2F;/g, '/');
const attr = (html, tag, name) => {
  const m = new RegExp(`<${tag}[^>]* ${name}="([^"]+)"`).exec(html);
  return m && unescape(m[1]);
};

export function setup() {
  const videos = [];
  const covers = [];
  for (const school of SCHOOLS) {
    const headers = { Host: `${school}.${DOMAIN}` };
    const list = http.get(`${BASE}/api/v1/courses?limit=10`, { headers, tags: { name: 'setup' } }).json();
    for (const item of list.items) {
      const course = http.get(`${BASE}/api/v1/courses/${item.slug}`, { headers, tags: { name: 'setup' } }).json();
      const preview = course.sections.flatMap((s) => s.lessons).find((l) => l.free_preview);
      if (!preview) continue;
      const page = http.get(`${BASE}/courses/${item.slug}/lessons/${preview.slug}`, { headers, tags: { name: 'setup' } }).body;
      const src = attr(page, 'video', 'src');
      if (!src) continue;
      const head = http.get(`${BASE}${src}`, { headers: Object.assign({ Range: 'bytes=0-1' }, headers), tags: { name: 'setup' } });
      const length = parseInt((head.headers['Content-Range'] || '').split('/')[1], 10);
      if (length > 2) videos.push({ school, src, length });
    }
    const catalog = http.get(`${BASE}/courses`, { headers, tags: { name: 'setup' } }).body;
    for (const m of catalog.matchAll(/<img src="([^"]+)"/g)) {
      const src = unescape(m[1]);
      if (src.startsWith('/img/')) covers.push({ school, src });
    }
  }
  if (!videos.length || !covers.length) fail(`media not found: ${videos.length} videos, ${covers.length} covers`);
  // Each variant is computed once, on its first request (the closing note times that); warm them
  // here so the scenario measures what every later visitor gets.
  for (const c of covers) {
    for (const [accept] of FORMATS) get(c, { Accept: accept }, 'setup');
  }
  return { videos, covers };
}

const get = (item, headers, name) => http.get(`${BASE}${item.src}`, {
  headers: Object.assign({ Host: `${item.school}.${DOMAIN}` }, headers), tags: { name }, responseType: 'binary',
});

export function probe(data) {
  const v = pick(data.videos);
  const r = get(v, { Range: 'bytes=0-1' }, 'probe');
  check(r, { 'probe 206 0-1': (res) => res.status === 206 && res.headers['Content-Range'] === `bytes 0-1/${v.length}` && res.body.byteLength === 2 });
}

export function seek(data) {
  const v = pick(data.videos);
  const start = Math.floor(Math.random() * (v.length - 1));
  const r = get(v, { Range: `bytes=${start}-` }, 'seek');
  check(r, { 'seek 206': (res) => res.status === 206 && res.headers['Content-Range'] === `bytes ${start}-${v.length - 1}/${v.length}` && res.body.byteLength === v.length - start });
}

export function whole(data) {
  const v = pick(data.videos);
  const r = get(v, {}, 'whole');
  check(r, { 'whole 200': (res) => res.status === 200 && res.body.byteLength === v.length && res.headers['Accept-Ranges'] === 'bytes' });
}

export function cover(data) {
  const c = pick(data.covers);
  const [accept, type] = pick(FORMATS);
  const r = get(c, { Accept: accept }, 'cover');
  check(r, { 'cover variant': (res) => res.status === 200 && res.headers['Content-Type'] === type });
}

export function handleSummary(data) {
  const title = `k6 media run: ${SCHOOLS.join(', ')}, ${RATE} req/s per scenario for ${DURATION}`;
  return summaryFiles('media', scenarioLines(data.metrics, title, SCENARIOS), data);
}
