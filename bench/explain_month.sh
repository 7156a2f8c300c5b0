#!/usr/bin/env bash
# Explaining a realistic month (issue 11): the record ledger's and the row capture's cost inside a
# full transform, `baliza trace` of mart rows (an aggregate over a join, an aggregate over a
# UNION ALL CTE), `baliza impact` of one raw page (rows, and one JSON field), and what capturing
# bigger models costs, on `baliza demo --scale N`. Every figure is run `runs` times (default 3):
# median and spread (min-max), with the machine's load average before each series.
# Usage: bench/explain_month.sh [scale] [work dir] [runs]  (reuses <work dir>/data/demo.duckdb)
set -euo pipefail
# The month's date-planned endpoints: items and results (about 430k requests at scale 42, one
# per purchase) are measured on their own by bench/items_month.sh.
month_endpoints=(--endpoint contratacoes_publicacao --endpoint contratacoes_atualizacao
  --endpoint contratos --endpoint contratos_atualizacao --endpoint atas_atualizacao
  --endpoint pca_atualizacao --endpoint instrumentoscobranca_inclusao)
scale="${1:-42}"
root="$(cd "$(dirname "$0")/.." && pwd)"
work="${2:-$(mktemp -d)}"
runs="${3:-3}"
bin="$root/build/baliza"
cd "$work"
db=data/demo.duckdb
if [ ! -f "$db" ]; then
  "$bin" demo --mes 2024-03 --scale "$scale" "${month_endpoints[@]}" -q > /dev/null 2>&1 || true
fi
echo "database: $work/$db ($(du -h "$db" | cut -f1)), $(nproc) cores"

load() { cut -d' ' -f1 /proc/loadavg; }
# median and spread of the numbers on stdin
stats() { sort -g | awk '{v[NR]=$1} END {m=(NR%2)?v[(NR+1)/2]:(v[NR/2]+v[NR/2+1])/2;
  printf "median %.2f, spread %.2f-%.2f (n=%d)", m, v[1], v[NR], NR}'; }
# seconds of wall time of a command (its output to $out)
timed() { local s e; s=$(date +%s.%N); "$@" > "$out" 2>&1 || true; e=$(date +%s.%N);
  echo "$e - $s" | bc; }
series() {  # series <label> <command...>: runs it $runs times, prints the stats
  local label="$1"; shift; local l; l=$(load); local times=()
  for _ in $(seq "$runs"); do times+=("$(timed "$@")"); done
  printf '%s: %s s wall (load before: %s)\n' "$label" "$(printf '%s\n' "${times[@]}" | stats)" "$l"
}

# 1. Ledger and capture inside a full rebuild of the month (the run prints their own times).
l=$(load); acc=(); cap=(); share=(); walls=()
for i in $(seq "$runs"); do
  out=transform.txt
  wall=$(timed "$bin" --db "$db" transform --full-refresh)
  a=$(grep -oE '^accounting: .*\(([0-9.]+)s\)' transform.txt | grep -oE '[0-9.]+s\)$' | tr -d 's)')
  c=$(grep -oE '^row capture: .*\(([0-9.]+)s\)' transform.txt | grep -oE '[0-9.]+s\)$' | tr -d 's)' |
      paste -sd+ | bc)
  c=${c:-0}
  walls+=("$wall"); acc+=("$a"); cap+=("$c")
  share+=("$(echo "scale=4; 100 * ($a + $c) / ($wall - $a - $c)" | bc)")
done
grep -E '^(accounting|row capture)' transform.txt
echo "transform --full-refresh (load before: $l):"
echo "  wall:               $(printf '%s\n' "${walls[@]}" | stats) s"
echo "  ledger:             $(printf '%s\n' "${acc[@]}" | stats) s"
echo "  row capture:        $(printf '%s\n' "${cap[@]}" | stats) s"
echo "  ledger + capture, % of the models and tests: $(printf '%s\n' "${share[@]}" | stats)"

# 2. trace of the biggest contratacoes_mensal row and of the orgao seen in the most models.
where="(mes, orgao_cnpj, modalidade_id, uf_sigla) = (select (mes, orgao_cnpj, modalidade_id, uf_sigla) from marts.contratacoes_mensal order by qtd_contratacoes desc, orgao_cnpj limit 1)"
out=trace.txt
series "trace contratacoes_mensal (biggest row)" "$bin" --db "$db" trace contratacoes_mensal --where "$where" --limit 3
grep -E '^ *(<- )?[a-z_.]+ \(' trace.txt
orgao="orgao_cnpj = (select orgao_cnpj from marts.dim_orgaos order by len(origens) desc, orgao_cnpj limit 1)"
series "trace dim_orgaos (union of 5 models)" "$bin" --db "$db" trace dim_orgaos --where "$orgao" --limit 3
grep -E '^ *(<- )?[a-z_.]+ \(' trace.txt
series "trace cobertura_extracao (captured) one day" "$bin" --db "$db" trace cobertura_extracao --where "dia = (select min(dia) from marts.cobertura_extracao where endpoint = 'contratos') and endpoint = 'contratos'" --limit 3
grep -E '^ *(<- )?[a-z_.]+ \(' trace.txt

# 3. impact of one raw page (the contratacoes page with the most records): rows, then one field.
page=$("$bin" --db "$db" query -f csv "select r.payload_sha256 from raw.api_requests r join runtime.task_results t using (request_id) where r.endpoint = 'contratacoes_publicacao' order by t.records_count desc, 1 limit 1" | tail -1)
out=impact.txt
series "impact --page" "$bin" --db "$db" impact --page "${page:0:16}" --limit 3
grep -E '^ *(<- )?[a-z_.]+ \(|INCOMPLETE' impact.txt
series "impact --page --column valorTotalEstimado" "$bin" --db "$db" impact --page "${page:0:16}" --column valorTotalEstimado --limit 3
grep -E '^ *(<- )?[a-z_.]+ \(|INCOMPLETE' impact.txt

# 4. What capturing costs on bigger models (on demand; not opted in by the project).
out=capture.txt
for m in contratacoes_mensal dim_orgaos; do
  series "capture $m" "$bin" --db "$db" capture "$m"
  cat capture.txt
done
"$bin" --db "$db" capture cobertura_extracao > /dev/null 2>&1 || true  # back to the project's own
# Baseline: the same process doing nothing but open the file.
out=select1.txt
series "query 'select 1'" "$bin" --db "$db" query "select 1"
