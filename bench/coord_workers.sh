#!/usr/bin/env bash
# Extraction time with 1, 2 and 4 `baliza worker` processes coordinated through PostgreSQL,
# against a simulator that throttles each client (address + User-Agent, which names the
# worker) to a fixed rate, as the live API throttles each client address (issue 16).
#   bench/coord_workers.sh [rps_per_client=2] [records_per_day=40]
# Each worker paces itself just under the client limit (1.8 of 2 requests/s: adaptive pacing's
# ramp-up is measured separately), so the figure is what coordination costs or gains.
# Needs postgresql-15 (scripts/setup). Prints seconds and speed-up per worker count.
set -euo pipefail
root=$(cd "$(dirname "$0")/.." && pwd)
rps=${1:-2}
per_day=${2:-40}
baliza="$root/build/baliza"
sim="$root/build/tools/pncp-sim/pncp-sim"
pgbin=/usr/lib/postgresql/15/bin
work=$(mktemp -d)
chmod 755 "$work"
as_pg=()
if [ "$(id -u)" -eq 0 ]; then as_pg=(runuser -u postgres --); chown postgres "$work"; fi
cleanup() {
  "${as_pg[@]}" "$pgbin/pg_ctl" -D "$work/pg" -m immediate -w stop >/dev/null 2>&1 || true
  [ -n "${sim_pid:-}" ] && kill "$sim_pid" 2>/dev/null || true
  rm -rf "$work"
}
trap cleanup EXIT
"${as_pg[@]}" "$pgbin/initdb" -D "$work/pg" -A trust -U baliza --no-sync >/dev/null
"${as_pg[@]}" "$pgbin/pg_ctl" -D "$work/pg" -w -l "$work/pg.log" \
  -o "-k $work -p 5432 -c listen_addresses='' -c fsync=off" start >/dev/null
export BALIZA_COORDINATOR_URL="host=$work port=5432 user=baliza dbname=postgres"

port=$((20000 + RANDOM % 20000))
"$sim" --port "$port" --today 20240630 --records-per-day "contratos=$per_day" \
  --fault "client_throttle:rps=$rps,burst=2" >"$work/sim.log" 2>&1 &
sim_pid=$!
sleep 1
cd "$work"
cat > endpoints.yaml <<YAML
defaults:
  concurrency: 2
  rate_limit: {requests_per_second: 1.8, burst: 1, floor: 0.5, ceiling: 1.9}
  retry: {max_attempts: 8, base_backoff_ms: 200, max_backoff_ms: 2000}
  claim_ttl_seconds: 120
endpoints:
  - name: contratos
    page_size: 10
YAML
base=""
for n in 1 2 4; do
  "$baliza" --db "w$n.duckdb" -q plan --mes 2024-01 --endpoint contratos >/dev/null
  psql -X -q -d "$BALIZA_COORDINATOR_URL" -c "UPDATE baliza.task_plan SET status = 'pending'; \
    DELETE FROM baliza.task_results; DELETE FROM baliza.task_claims;" >/dev/null
  start=$(date +%s.%N)
  for i in $(seq 1 "$n"); do
    "$baliza" -q worker --mes 2024-01 --endpoint contratos --worker-id "bench-$n-$i" --claim-batch 2 \
      --base-url "http://127.0.0.1:$port/api/consulta" >"w$n-$i.out" 2>&1 &
  done
  wait $(jobs -p | grep -v "^$sim_pid$") 2>/dev/null || true
  secs=$(echo "$(date +%s.%N) - $start" | bc)
  pages=$(psql -X -tA -d "$BALIZA_COORDINATOR_URL" -c \
    "SELECT count(*) FROM baliza.task_results WHERE superseded_at IS NULL")
  throttled=$(psql -X -tA -d "$BALIZA_COORDINATOR_URL" -c \
    "SELECT coalesce(sum(value), 0) FROM baliza.pipeline_metrics WHERE metric LIKE '%throttl%' \
     AND run_id IN (SELECT run_id FROM baliza.execution_log WHERE worker_id LIKE 'bench-$n-%')")
  [ -z "$base" ] && base=$secs
  printf "%d worker(s): %6.1f s, %s pages, speed-up %.2fx, throttled answers %s\n" "$n" "$secs" \
    "$pages" "$(echo "$base / $secs" | bc -l)" "$throttled"
done
