#!/usr/bin/env bash
# Checkpoint and rollback time for a database of about N MB (issue 14):
#   bench/checkpoint.sh [rows_millions=2.5]
# Builds a database of random-ish rows (strings that compress poorly, so the file is large),
# then times, each 3 times:
#   - `baliza checkpoint` (CHECKPOINT + file copy while holding the lock: what Baliza does),
#   - the alternative it rejected as the default: ATTACH + COPY FROM DATABASE into a new file,
#   - `baliza rollback --to-checkpoint 1` (diff with exact counts + copy + rename swap).
# Prints the file size and each time; results go in bench/results/checkpoints.md.
set -euo pipefail
root=$(cd "$(dirname "$0")/.." && pwd)
rows=${1:-2.5}
baliza="$root/build/baliza"
work=$(mktemp -d)
trap 'rm -rf "$work"' EXIT
cd "$work"
db=data/bench.duckdb
"$baliza" --db $db -q init >/dev/null 2>&1 || true
"$baliza" --db $db query "create table main.facts as select range as id, md5(range::varchar) as a,
  md5((range * 7)::varchar) as b, (range % 1000) / 7.0 as v from range(cast(${rows} * 1000000 as bigint))" >/dev/null
"$baliza" --db $db query "checkpoint" >/dev/null
size=$(du -m $db | cut -f1)
echo "database: $size MB, ${rows}M rows (main.facts)"

now() { echo "$EPOCHREALTIME"; }
elapsed() { awk "BEGIN { printf \"%.2f\", $EPOCHREALTIME - $1 }"; }

for i in 1 2 3; do
  t=$(now); "$baliza" --db $db -q checkpoint --name run$i >/dev/null; echo "checkpoint (file copy): $(elapsed $t) s"
done
for i in 1 2 3; do
  rm -f copy$i.duckdb
  t=$(now)
  "$baliza" --db $db query "attach 'copy$i.duckdb' as c; copy from database bench to c; detach c" >/dev/null
  echo "ATTACH + COPY FROM DATABASE: $(elapsed $t) s ($(du -m copy$i.duckdb | cut -f1) MB)"
done
"$baliza" --db $db query "delete from main.facts where id % 10 = 0" >/dev/null
for i in 1 2 3; do
  t=$(now); "$baliza" --db $db -q rollback --to-checkpoint 1 >/dev/null; echo "rollback: $(elapsed $t) s"
done
"$baliza" --db $db checkpoint --list
