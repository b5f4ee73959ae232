// The learner journey at a constant arrival rate: sign up at a school, open a course, enroll,
// open a lesson, mark it complete, read progress and the dashboard. Signing up costs an argon2id
// hash (by design ~50 ms of CPU), so it has its own budget; every other step must stay under
// 100 ms at p95, and no database query family may reach a p99 of 100 ms.
//
// Environment: BASE_URL, METRICS_URL, BASE_DOMAIN, SCHOOLS (count of bench-NNNNN schools or a
// comma-separated list), RATE (journeys per second), DURATION, SUMMARY_DIR, DB_P99_LIMIT_MS.
import http from 'k6/http';
import { check, fail } from 'k6';
import { Counter } from 'k6/metrics';
import { checkDbFamilies, dbBuckets, summaryFiles, trendRow } from './shared.js';

const BASE = __ENV.BASE_URL || 'http://127.0.0.1:8080';
const METRICS = __ENV.METRICS_URL || 'http://127.0.0.1:9090/metrics';
const DOMAIN = __ENV.BASE_DOMAIN || 'localhost';
const RATE = parseInt(__ENV.RATE || '5', 10);
const DURATION = __ENV.DURATION || '60s';
const DB_P99_LIMIT = parseFloat(__ENV.DB_P99_LIMIT_MS || '100') / 1000;
const SCHOOLS = /^\d+$/.test(__ENV.SCHOOLS || '')
  ? Array.from({ length: parseInt(__ENV.SCHOOLS, 10) }, (_, i) => `bench-${String(i + 1).padStart(5, '0')}`)
  : (__ENV.SCHOOLS || 'northwind,riverside').split(',');
const STEPS = ['course', 'enroll', 'lesson', 'complete', 'progress', 'learn'];

const slowFamilies = new Counter('db_query_families_p99_over_100ms');
export const options = {
  scenarios: {
    learner_journey: { executor: 'constant-arrival-rate', rate: RATE, timeUnit: '1s', duration: DURATION, preAllocatedVUs: 10, maxVUs: 60 },
  },
  thresholds: Object.assign(
    {
      http_req_failed: ['rate<0.001'],
      'http_req_duration{name:signup}': ['p(95)<500'],
      db_query_families_p99_over_100ms: ['count<1'],
      checks: ['rate>0.999'],
    },
    Object.fromEntries(STEPS.map((s) => [`http_req_duration{name:${s}}`, ['p(95)<100']])),
  ),
  summaryTrendStats: ['avg', 'med', 'p(95)', 'p(99)', 'max'],
};

const pick = (list) => list[Math.floor(Math.random() * list.length)];
const csrfOf = (body) => (/name="csrf" value="([^"]+)"/.exec(body) || [])[1];


export function setup() {
  const courses = [];
  for (let i = 0; i < Math.min(SCHOOLS.length, 20); i++) {
    const school = SCHOOLS[Math.floor((i * SCHOOLS.length) / Math.min(SCHOOLS.length, 20))];
    const headers = { Host: `${school}.${DOMAIN}` };
    const list = http.get(`${BASE}/api/v1/courses?limit=5`, { headers, tags: { name: 'setup' } }).json();
    for (const item of list.items) {
      const course = http.get(`${BASE}/api/v1/courses/${item.slug}`, { headers, tags: { name: 'setup' } }).json();
      const lessons = course.sections.flatMap((s) => s.lessons.map((l) => l.slug));
      if (lessons.length >= 2) courses.push({ school, slug: item.slug, lesson: lessons[1] });
    }
  }
  if (!courses.length) fail('no course with two lessons found');
  return { courses, before: dbBuckets(METRICS) };
}

export default function (data) {
  const c = pick(data.courses);
  const host = `${c.school}.${DOMAIN}`;
  const headers = { Host: host, Origin: `http://${host}` };
  http.cookieJar().clear(BASE);
  const post = (path, fields, name) => http.post(`${BASE}${path}`, fields, { headers, redirects: 0, tags: { name } });
  const get = (path, name) => http.get(`${BASE}${path}`, { headers, tags: { name } });

  const form = get('/signup', 'signup_form');
  const email = `k6-${__VU}-${__ITER}-${Date.now()}@example.org`;
  const signup = post('/signup', { name: 'Load Learner', email, password: 'a long load-test passphrase', csrf: csrfOf(form.body) }, 'signup');
  if (!check(signup, { 'signed up': (r) => r.status === 303 })) return;
  const course = get(`/courses/${c.slug}`, 'course');
  const csrf = csrfOf(course.body);
  check(post(`/courses/${c.slug}/enroll`, { csrf }, 'enroll'), { enrolled: (r) => r.status === 303 });
  check(get(`/courses/${c.slug}/lessons/${c.lesson}`, 'lesson'), { 'lesson shown': (r) => r.body.includes('lesson-body') });
  check(post(`/courses/${c.slug}/lessons/${c.lesson}/complete`, { csrf }, 'complete'), { completed: (r) => r.status === 303 });
  check(get('/api/v1/me/progress', 'progress'), { 'one lesson done': (r) => r.json().items[0].completed === 1 });
  check(get('/learn', 'learn'), { dashboard: (r) => r.body.includes('progress-count') });
}

export function teardown(data) {
  checkDbFamilies(data.before, dbBuckets(METRICS), DB_P99_LIMIT, slowFamilies);
}

export function handleSummary(data) {
  const m = data.metrics;
  const row = (name) => trendRow(m, name, `http_req_duration{name:${name}}`);
  const lines = [
    `# k6 learner journey: ${SCHOOLS.length} schools, ${RATE} journeys/s for ${DURATION}`,
    '',
    `Journeys: ${m.iterations.values.count}, requests: ${m.http_reqs.values.count}, failed: ${(m.http_req_failed.values.rate * 100).toFixed(3)} %`,
    '',
    '| step | p50 ms | p95 ms | p99 ms |',
    '| --- | --- | --- | --- |',
    ...['signup', ...STEPS].map(row),
  ];
  return summaryFiles('journey', lines, data);
}
