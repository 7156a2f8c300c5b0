#!/usr/bin/env bash
# The UI's benchmark (issue 15): server time of every JSON endpoint of `baliza ui` on a realistic
# month's database, and the Models view of the synthetic 10k-model project rendered in Debian's
# headless chromium.
#   bench/ui_views.sh [scale=42] [database]     (reuses the database when one is given)
# Server time is curl's time to first byte over loopback (the median of 5 requests, the first
# of which also opens the file).
set -euo pipefail
# The month's date-planned endpoints: items and results (about 430k requests at scale 42, one
# per purchase) are measured on their own by bench/items_month.sh.
month_endpoints=(--endpoint contratacoes_publicacao --endpoint contratacoes_atualizacao
  --endpoint contratos --endpoint contratos_atualizacao --endpoint atas_atualizacao
  --endpoint pca_atualizacao --endpoint instrumentoscobranca_inclusao)
root=$(cd "$(dirname "$0")/.." && pwd)
scale=${1:-42}
work=$(mktemp -d)
ui_pid=""
cleanup() { [ -n "$ui_pid" ] && kill "$ui_pid" 2>/dev/null; rm -rf "$work"; }
trap cleanup EXIT
db=${2:-}
if [ -z "$db" ]; then
  (cd "$work" && "$root/build/baliza" demo --scale "$scale" "${month_endpoints[@]}" -q >/dev/null)
  db="$work/data/demo.duckdb"
fi
echo "database: $db ($(du -h "$db" | cut -f1), $("$root/build/baliza" --db "$db" query -f csv "select count(*) from raw.api_requests" | tail -1) pages)"
"$root/build/bench/bench_ui_synthetic_project" "$work/synthetic" 10000
start_ui() { # project-dir; sets ui_pid and url (not in a subshell: the pid must be kept)
  : > "$work/ui.out"
  "$root/build/baliza" --db "$db" ui --port 0 --project-dir "$1" > "$work/ui.out" 2>&1 &
  ui_pid=$!
  for _ in $(seq 1 600); do grep -q "http://" "$work/ui.out" && break; sleep 0.1; done
  url=$(grep -o "http://127.0.0.1:[0-9]*/" "$work/ui.out")
}
median() { sort -n | awk '{a[NR]=$1} END {print a[int((NR+1)/2)]}'; }
start_ui "$root/projects/pncp"
key=$(curl -s "${url}api/query?sql=select%20numero_controle_pncp%20from%20marts.contratos_alteracoes%20limit%201" | sed 's/.*"rows":\[\["\([^"]*\)".*/\1/')
cell=$(curl -s "${url}api/coverage" | sed 's/.*"rows":\[\["\([^"]*\)","\([^"]*\)".*/endpoint=\1\&day=\2/')
printf "%-34s %10s\n" "endpoint (month database)" "median ms"
trace_key=$(printf %s "$key" | sed 's|/|%2F|g')
for ep in summary runs live coverage "coverage/cell?$cell" models "models/search?q=contr" \
  "model?id=model.pncp.contratos" quality workflows workers \
  "query?sql=select%20*%20from%20marts.contratos_mensal" \
  "lineage/rows?model=contratacoes_mensal" \
  "trace?model=contratos_alteracoes&column=numero_controle_pncp&value=$trace_key" \
  "trace?model=contratacoes_mensal&where=qtd_contratacoes%20%3E%3D%20(select%20max(qtd_contratacoes)%20from%20marts.contratacoes_mensal)" \
  "impact?model=contratos_alteracoes&column=numero_controle_pncp&value=$trace_key"; do
  ms=$(for _ in 1 2 3 4 5; do curl -s -o /dev/null -w "%{time_starttransfer}\n" "${url}api/$ep"; done | median)
  name=${ep%%\?*}; case "$ep" in trace*where*) name="trace (largest aggregate row)";; esac
  printf "%-34s %10.1f\n" "$name" "$(awk -v s="$ms" 'BEGIN {print s * 1000}')"
done
kill "$ui_pid"; wait "$ui_pid" 2>/dev/null || true; ui_pid=""
start_ui "$work/synthetic"
for ep in models "models?all=1"; do
  ms=$(for _ in 1 2 3; do curl -s -o /dev/null -w "%{time_total}\n" "${url}api/$ep"; done | median)
  printf "%-34s %10.1f\n" "$ep (10k-model project, total)" "$(awk -v s="$ms" 'BEGIN {print s * 1000}')"
done
node "$root/bench/ui_dag_render.mjs" "$url" 3
