#!/usr/bin/env bash
# Catalog benchmarks on the embedded default, all in one run (this machine is noisy: compare the
# figures of one run with each other, not with another run's).
#   1. /healthz (the server's ceiling) vs a hot /courses page served from the school's actor (wrk)
#   2. the catalog query through the tenant door on a school with COURSES courses: first page vs a
#      page half-way down, p50/p99 per transaction (pgbench, as the runtime role)
#   3. the same two pages end to end over HTTP with the page cache off (every request hits Postgres)
# Usage: loadtest/catalog-bench.sh [COURSES]   (default 100000; needs wrk)
set -euo pipefail
cd "$(dirname "$0")/.."
COURSES=${1:-100000}
DURATION=${DURATION:-10}
export EDUFLOW_DATA_DIR=${EDUFLOW_DATA_DIR:-/var/tmp/eduflow-bench}
BIN=target/release/eduflow
OUT=${OUT:-loadtest/results/catalog-$(date +%Y%m%d-%H%M%S)}
mkdir -p "$OUT"
cargo build --release --quiet
PGBIN=$(ls -d /usr/lib/postgresql/*/bin | sort -V | tail -1)
SOCK="$EDUFLOW_DATA_DIR/pg/run"

echo "== data: school bench-00001 with $COURSES courses"
"$BIN" seed --tenants 1 --courses-per-tenant "$COURSES" --seed 1 | tail -1

serve() { # $1: page cache bytes
  EDUFLOW_PAGE_CACHE_BYTES=$1 "$BIN" serve --listen 127.0.0.1:8088 > "$OUT/serve-$1.log" 2>&1 &
  SERVER=$!
  for _ in $(seq 100); do curl -sf http://127.0.0.1:8088/healthz >/dev/null && return; sleep 0.1; done
  echo "server did not start"; cat "$OUT/serve-$1.log"; exit 1
}
stop() { kill -INT "$SERVER"; wait "$SERVER" || true; SERVER=; }
SERVER=
trap '[ -z "$SERVER" ] || stop' EXIT
bench() { # $1 name, $2 host, $3 path
  local file rps p50 p99
  file="$OUT/wrk-$(tr -c 'a-zA-Z0-9\n' '_' <<< "$1").txt"
  wrk -t2 -c32 -d"${DURATION}s" --latency -H "Host: $2" "http://127.0.0.1:8088$3" > "$file"
  rps=$(awk '/Requests\/sec/ {print $2}' "$file")
  p50=$(awk '$1=="50%" {print $2}' "$file")
  p99=$(awk '$1=="99%" {print $2}' "$file")
  printf '| %s | %s | %s | %s |\n' "$1" "$rps" "$p50" "$p99" | tee -a "$OUT/summary.md"
}


{
  echo "# Catalog benchmark $(date -u +%FT%TZ) — $(nproc) cores, $COURSES courses in one school"
  echo
  echo "## HTTP (wrk, 2 threads, 32 connections, ${DURATION}s each)"
  echo
  echo "| target | requests/s | p50 | p99 |"
  echo "| --- | --- | --- | --- |"
} > "$OUT/summary.md"
serve $((8 << 20))
psql_su() { psql -h "$SOCK" -U postgres -d eduflow -Atc "$1"; }
TENANT=$(psql_su "SELECT id FROM tenants WHERE slug = 'bench-00001'")
read -r TS ID < <(psql_su "SELECT to_char(published_at AT TIME ZONE 'UTC', 'YYYY-MM-DD\"T\"HH24:MI:SS.US\"Z\"'), id FROM courses
  WHERE tenant_id = '$TENANT' AND published ORDER BY published_at DESC, id DESC OFFSET $((COURSES / 2)) LIMIT 1" | tr '|' ' ')
CURSOR=$(printf '%s.%s' "$(date -d "$TS" +%s%6N)" "${ID//-/}" | base64 -w0 | tr '+/' '-_' | tr -d '=')
psql_su "ANALYZE" >/dev/null
curl -sf -H 'Host: northwind.localhost' http://127.0.0.1:8088/courses >/dev/null
bench healthz northwind.localhost /healthz
bench "hot /courses (actor cache)" northwind.localhost /courses
stop
serve 0
bench "first page, cache off (API)" bench-00001.localhost "/api/v1/courses"
bench "deep page $((COURSES / 24)), cache off (API)" bench-00001.localhost "/api/v1/courses?after=$CURSOR"
query() { # $1 extra condition
  cat <<SQL
BEGIN;
SELECT set_config('app.tenant_id', '$TENANT', true);
SELECT c.id, c.slug, c.title, c.summary, c.category, c.tags, c.level, c.duration_minutes, c.published_at
  FROM courses c WHERE c.tenant_id = '$TENANT' AND c.published $1
  ORDER BY c.published_at DESC, c.id DESC LIMIT 13;
COMMIT;
SQL
}
query "" > "$OUT/first.sql"
query "AND (c.published_at, c.id) < ('$TS', '$ID')" > "$OUT/deep.sql"
{
  echo
  echo "## Catalog query through the tenant door (pgbench as eduflow_app, 2 clients, ${DURATION}s each)"
  echo
  echo "| page | transactions/s | p50 ms | p99 ms |"
  echo "| --- | --- | --- | --- |"
} >> "$OUT/summary.md"
for page in first deep; do
  (cd "$OUT" && "$PGBIN/pgbench" -h "$SOCK" -U eduflow_app -n -c 2 -j 2 -T "$DURATION" -f "$page.sql" -l --log-prefix="pgbench-$page" eduflow > "pgbench-$page.txt" 2>&1)
  tps=$(awk '/^tps/ {print $3; exit}' "$OUT/pgbench-$page.txt")
  cat "$OUT"/pgbench-"$page".*  | awk '{print $3/1000}' | sort -n > "$OUT/lat-$page.txt"
  n=$(wc -l < "$OUT/lat-$page.txt")
  p50=$(sed -n "$(( (n * 50 + 99) / 100 ))p" "$OUT/lat-$page.txt")
  p99=$(sed -n "$(( (n * 99 + 99) / 100 ))p" "$OUT/lat-$page.txt")
  printf '| %s | %s | %s | %s |\n' "$page" "$tps" "$p50" "$p99" >> "$OUT/summary.md"
done
stop

cat "$OUT/summary.md"
