// Catalog browsing across many schools at a constant arrival rate: home, filtered catalog, deep
// pages and course pages. Fails the run when a threshold breaks, and when any database query
// family's p99 during the run (from /metrics bucket deltas) reaches 100 ms.
//
// Environment: BASE_URL, METRICS_URL, BASE_DOMAIN, SCHOOLS (a count of bench-NNNNN schools, or a
// comma-separated list of slugs), RATE (requests/s per scenario), DURATION, SUMMARY_DIR,
// DB_P99_LIMIT_MS (default 100).
import http from 'k6/http';
import { check } from 'k6';
import { Counter } from 'k6/metrics';
import { checkDbFamilies, dbBuckets, scenarioLines, summaryFiles } from './shared.js';

const BASE = __ENV.BASE_URL || 'http://127.0.0.1:8080';
const METRICS = __ENV.METRICS_URL || 'http://127.0.0.1:9090/metrics';
const DOMAIN = __ENV.BASE_DOMAIN || 'localhost';
const RATE = parseInt(__ENV.RATE || '100', 10);
const DB_P99_LIMIT = parseFloat(__ENV.DB_P99_LIMIT_MS || '100') / 1000;
const DURATION = __ENV.DURATION || '60s';
const SCHOOLS = /^\d+$/.test(__ENV.SCHOOLS || '')
  ? Array.from({ length: parseInt(__ENV.SCHOOLS, 10) }, (_, i) => `bench-${String(i + 1).padStart(5, '0')}`)
  : (__ENV.SCHOOLS || 'northwind,riverside').split(',');
const SAMPLED = Math.min(SCHOOLS.length, 50);

const slowFamilies = new Counter('db_query_families_p99_over_100ms');

const scenario = (exec) => ({
  executor: 'constant-arrival-rate', exec, rate: RATE, timeUnit: '1s', duration: DURATION,
  preAllocatedVUs: 10, maxVUs: 100,
});
export const options = {
  scenarios: {
    home: scenario('home'),
    filtered_catalog: scenario('filtered'),
    deep_pages: scenario('deep'),
    course_pages: scenario('course'),
  },
  thresholds: {
    http_req_failed: ['rate<0.001'],
    http_req_duration: ['p(95)<100'],
    'http_req_duration{scenario:home}': ['p(95)<100'],
    'http_req_duration{scenario:filtered_catalog}': ['p(95)<100'],
    'http_req_duration{scenario:deep_pages}': ['p(95)<100'],
    'http_req_duration{scenario:course_pages}': ['p(95)<100'],
    db_query_families_p99_over_100ms: ['count<1'],
  },
  summaryTrendStats: ['avg', 'med', 'p(95)', 'p(99)', 'max'],
};

const hostOf = (slug) => `${slug}.${DOMAIN}`;
const get = (slug, path, name) => http.get(`${BASE}${path}`, { headers: { Host: hostOf(slug) }, tags: { name } });
const pick = (list) => list[Math.floor(Math.random() * list.length)];


export function setup() {
  const samples = [];
  for (let i = 0; i < SAMPLED; i++) {
    const slug = SCHOOLS[Math.floor((i * SCHOOLS.length) / SAMPLED)];
    const cursors = [];
    const courses = [];
    const categories = new Set();
    const tags = new Set();
    let next = null;
    // Small pages first, so even a small school yields a few deep cursors.
    for (let page = 0; page < 12; page++) {
      const limit = page < 3 ? 12 : 50;
      const res = get(slug, `/api/v1/courses?limit=${limit}${next ? `&after=${next}` : ''}`, 'setup');
      if (res.status !== 200) throw new Error(`setup: ${slug} answered ${res.status}`);
      const body = res.json();
      body.items.forEach((c) => { courses.push(c.slug); categories.add(c.category); c.tags.forEach((t) => tags.add(t)); });
      if (!body.next) break;
      next = body.next;
      cursors.push(next);
    }
    samples.push({ slug, cursors, courses, categories: [...categories], tags: [...tags] });
  }
  return { samples, before: dbBuckets(METRICS) };
}

export function home() {
  check(get(pick(SCHOOLS), '/', 'home'), { 'home 200': (r) => r.status === 200 });
}

export function filtered(data) {
  const s = pick(data.samples);
  const path = Math.random() < 0.5
    ? `/courses?category=${pick(s.categories)}`
    : `/courses?tag=${pick(s.tags)}`;
  check(get(s.slug, path, 'filtered'), { 'filtered 200': (r) => r.status === 200 });
}

export function deep(data) {
  const s = pick(data.samples);
  const path = s.cursors.length ? `/courses?after=${pick(s.cursors)}` : '/courses';
  check(get(s.slug, path, 'deep'), { 'deep 200': (r) => r.status === 200 });
}

export function course(data) {
  const s = pick(data.samples);
  check(get(s.slug, `/courses/${pick(s.courses)}`, 'course'), { 'course 200': (r) => r.status === 200 });
}

export function teardown(data) {
  checkDbFamilies(data.before, dbBuckets(METRICS), DB_P99_LIMIT, slowFamilies);
}

export function handleSummary(data) {
  const title = `k6 catalog run: ${SCHOOLS.length} schools, ${RATE} req/s per scenario for ${DURATION}`;
  const lines = scenarioLines(data.metrics, title, ['home', 'filtered_catalog', 'deep_pages', 'course_pages']);
  return summaryFiles('catalog', lines, data);
}
