// Shared by the k6 scripts: each database query family's p99 over a run, read from EduFlow's
// /metrics histogram (the difference of bucket counters between setup and teardown), and the
// summary files.
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

// handleSummary's result: `lines` plus the thresholds table on stdout and in k6-<name>.md, and
// k6's whole summary in k6-<name>.json, under SUMMARY_DIR.
export function summaryFiles(name, lines, data) {
  const thresholds = Object.entries(data.metrics).flatMap(([metric, m]) =>
    Object.entries(m.thresholds || {}).map(([t, r]) => `| ${metric}: ${t} | ${r.ok ? 'yes' : 'NO'} |`));
  const text = [...lines, '', '| threshold | held |', '| --- | --- |', ...thresholds, ''].join('\n') + '\n';
  const dir = __ENV.SUMMARY_DIR || '.';
  return { stdout: text, [`${dir}/k6-${name}.md`]: text, [`${dir}/k6-${name}.json`]: JSON.stringify(data, null, 2) };
}

// A markdown table row: median, p95 and p99 of the trend `key` (ms), or dashes when it is absent.
export function trendRow(metrics, name, key) {
  const v = metrics[key] && metrics[key].values;
  return v ? `| ${name} | ${v.med.toFixed(2)} | ${v['p(95)'].toFixed(2)} | ${v['p(99)'].toFixed(2)} |` : `| ${name} | - | - | - |`;
}

// The summary of a run split into scenarios: a title, request counts, and a latency row for all
// requests and for each scenario.
export function scenarioLines(metrics, title, scenarios) {
  const r = metrics.http_reqs.values;
  return [
    `# ${title}`,
    '',
    `Requests: ${r.count} (${r.rate.toFixed(1)}/s), failed: ${(metrics.http_req_failed.values.rate * 100).toFixed(3)} %`,
    '',
    '| scenario | p50 ms | p95 ms | p99 ms |',
    '| --- | --- | --- | --- |',
    trendRow(metrics, 'all', 'http_req_duration'),
    ...scenarios.map((s) => trendRow(metrics, s, `http_req_duration{scenario:${s}}`)),
  ];
}
