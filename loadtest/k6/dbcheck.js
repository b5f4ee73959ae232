// Shared by the k6 scripts: each database query family's p99 over a run, read from EduFlow's
// /metrics histogram (the difference of bucket counters between setup and teardown).
import http from 'k6/http';

// Cumulative bucket counts of eduflow_db_query_duration_seconds, by family and bound.
export function dbBuckets(metricsUrl) {
  const buckets = {};
  for (const line of http.get(metricsUrl, { tags: { name: 'metrics' } }).body.split('\n')) {
    const m = line.match(/^eduflow_db_query_duration_seconds_bucket\{(.*)\} (\S+)$/);
    if (!m) continue;
    const labels = Object.fromEntries(m[1].split(',').map((kv) => kv.split('=')).map(([k, v]) => [k, v.replace(/"/g, '')]));
    const family = `${labels.query}/${labels.pool}`;
    (buckets[family] = buckets[family] || {})[labels.le] = parseFloat(m[2]);
  }
  return buckets;
}

// Logs every family's p99 (as the upper bound of the bucket holding it) and counts, in
// `violations`, the families whose p99 exceeds `limitSeconds`.
export function checkDbFamilies(before, after, limitSeconds, violations) {
  const report = [];
  for (const [family, bounds] of Object.entries(after)) {
    const start = before[family] || {};
    const delta = Object.entries(bounds)
      .map(([le, n]) => [le === '+Inf' ? Infinity : parseFloat(le), n - (start[le] || 0)])
      .sort((a, b) => a[0] - b[0]);
    const total = delta[delta.length - 1][1];
    if (total === 0) continue;
    const p99 = delta.find(([, n]) => n >= 0.99 * total)[0];
    report.push(`${family}: ${total} queries, p99 <= ${p99 * 1000} ms`);
    if (p99 > limitSeconds) violations.add(1, { family });
  }
  console.log(`database query families during the run:\n  ${report.join('\n  ')}`);
}

// The thresholds table of a k6 summary, as markdown rows.
export function thresholdRows(metrics) {
  return Object.entries(metrics).flatMap(([name, metric]) =>
    Object.entries(metric.thresholds || {}).map(([t, r]) => `| ${name}: ${t} | ${r.ok ? 'yes' : 'NO'} |`));
}
