#!/usr/bin/env bash
# The Lineage views' server time and CPU (issue 15): `baliza ui` answers /api/trace and
# /api/impact on a realistic month's database; each view is requested `runs` times after one
# warm-up request, and the script prints the median time to first byte (curl) and the server
# process's CPU per request (utime + stime from /proc, so other load on a shared machine
# inflates it less than wall time). Then the same requests as `baliza trace` / `baliza impact`
# in fresh processes (nothing cached): median user + system CPU and wall of `runs` runs.
#   bench/lineage_views.sh [database] [runs=10] [binary=build/baliza]
# Without a database it builds the month as bench/ui_views.sh does (`baliza demo --scale 42`,
# date-planned endpoints only, about a minute). The load average is printed before each part.
set -euo pipefail
root=$(cd "$(dirname "$0")/.." && pwd)
db=${1:-}
runs=${2:-10}
bin=${3:-$root/build/baliza}
work=$(mktemp -d)
ui_pid=""
cleanup() { [ -n "$ui_pid" ] && kill "$ui_pid" 2>/dev/null; rm -rf "$work"; }
trap cleanup EXIT
if [ -z "$db" ]; then
  (cd "$work" && "$bin" demo --scale 42 --endpoint contratacoes_publicacao \
    --endpoint contratacoes_atualizacao --endpoint contratos --endpoint contratos_atualizacao \
    --endpoint atas_atualizacao --endpoint pca_atualizacao \
    --endpoint instrumentoscobranca_inclusao -q > /dev/null)
  db="$work/data/demo.duckdb"
fi
median() { sort -g | awk '{a[NR]=$1} END {print a[int((NR+1)/2)]}'; }
ticks=$(getconf CLK_TCK)
cpu_ms() { awk -v t="$ticks" '{print ($14 + $15) * 1000 / t}' "/proc/$1/stat"; }

key=$("$bin" --db "$db" query -f csv \
  "select numero_controle_pncp from marts.contratos_alteracoes order by 1 limit 1" | tail -1)
biggest="qtd_contratacoes >= (select max(qtd_contratacoes) from marts.contratacoes_mensal)"
key_where="\"numero_controle_pncp\"::VARCHAR = '$key'"
enc() { python3 -c 'import sys, urllib.parse; print(urllib.parse.quote(sys.argv[1], safe=""))' "$1"; }

echo "database: $db ($(du -h "$db" | cut -f1)); binary: $bin; $runs requests per view"
echo "load average before the UI part: $(cut -d' ' -f1-3 /proc/loadavg)"
"$bin" --db "$db" ui --port 0 --project-dir "$root/projects/pncp" > "$work/ui.out" 2>&1 &
ui_pid=$!
for _ in $(seq 1 600); do grep -q "http://" "$work/ui.out" && break; sleep 0.1; done
url=$(grep -o "http://127.0.0.1:[0-9]*/" "$work/ui.out")
printf "%-38s %14s %18s\n" "view (baliza ui)" "median ms" "CPU ms/request"
for view in "trace (a contratos_alteracoes key)|trace?model=contratos_alteracoes&column=numero_controle_pncp&value=$(enc "$key")" \
  "trace (largest aggregate row)|trace?model=contratacoes_mensal&where=$(enc "$biggest")" \
  "impact (a key)|impact?model=contratos_alteracoes&column=numero_controle_pncp&value=$(enc "$key")"; do
  name=${view%%|*}
  path=${view#*|}
  curl -s -o /dev/null "${url}api/$path"  # warm-up: opens the file, fills the caches
  c0=$(cpu_ms "$ui_pid")
  ms=$(for _ in $(seq "$runs"); do
    curl -s -o /dev/null -w "%{time_starttransfer}\n" "${url}api/$path"
  done | median)
  c1=$(cpu_ms "$ui_pid")
  printf "%-38s %14.1f %18.1f\n" "$name" "$(awk -v s="$ms" 'BEGIN {print s * 1000}')" \
    "$(awk -v a="$c0" -v b="$c1" -v n="$runs" 'BEGIN {print (b - a) / n}')"
done
kill "$ui_pid"
wait "$ui_pid" 2>/dev/null || true
ui_pid=""

echo "load average before the CLI part: $(cut -d' ' -f1-3 /proc/loadavg)"
printf "%-38s %14s %18s\n" "command (fresh process)" "median wall s" "median CPU s"
cli() {  # name, then the command's arguments
  local name=$1
  shift
  for _ in $(seq "$runs"); do
    /usr/bin/time -f "%e %U %S" -o "$work/time" "$bin" --db "$db" "$@" > /dev/null 2>&1 || true
    cat "$work/time"
  done > "$work/times"
  printf "%-38s %14.3f %18.3f\n" "$name" "$(awk '{print $1}' "$work/times" | median)" \
    "$(awk '{print $2 + $3}' "$work/times" | median)"
}
cli "trace (a contratos_alteracoes key)" trace contratos_alteracoes --where "$key_where" --show-json
cli "trace (largest aggregate row)" trace contratacoes_mensal --where "$biggest" --show-json
cli "impact (a key)" impact --relation contratos_alteracoes --where "$key_where"
cli "query 'select 1' (process baseline)" query "select 1"
