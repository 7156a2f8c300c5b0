#!/usr/bin/env bash
# Explaining a realistic month (issue 11): the record ledger's cost inside a full transform, and
# `baliza trace` of one mart row / `baliza impact` of one raw page on `baliza demo --scale N`.
# Usage: bench/explain_month.sh [scale] [work dir]   (reuses <work dir>/data/demo.duckdb if there)
set -euo pipefail
scale="${1:-42}"
root="$(cd "$(dirname "$0")/.." && pwd)"
work="${2:-$(mktemp -d)}"
bin="$root/build/baliza"
cd "$work"
db=data/demo.duckdb
if [ ! -f "$db" ]; then
  "$bin" demo --mes 2024-03 --scale "$scale" -q > /dev/null 2>&1 || true
fi
echo "database: $work/$db ($(du -h "$db" | cut -f1))"

# 1. Accounting inside a full rebuild of the month: the run prints the ledger's own time.
start=$(date +%s.%N)
"$bin" --db "$db" transform --full-refresh > /dev/null 2> transform.txt || true
end=$(date +%s.%N)
total=$(echo "$end - $start" | bc)
acc=$(grep -oE '^accounting: .*\(([0-9.]+)s\)' transform.txt | grep -oE '[0-9.]+s\)$' | tr -d 's)')
grep '^accounting:' transform.txt
echo "transform --full-refresh: ${total}s wall, of which accounting ${acc}s" \
     "= $(echo "scale=1; 100 * $acc / ($total - $acc)" | bc)% on top of the models and tests"

# 2. trace of the biggest mart row, 5 runs (each run loads DuckDB and opens the file).
where="(mes, orgao_cnpj, modalidade_id, uf_sigla) = (select (mes, orgao_cnpj, modalidade_id, uf_sigla) from marts.contratacoes_mensal order by qtd_contratacoes desc, orgao_cnpj limit 1)"
"$bin" --db "$db" query -f csv "select qtd_contratacoes, valor_total_estimado from marts.contratacoes_mensal where $where"
for i in 1 2 3 4 5; do
  /usr/bin/time -f "trace run $i: %e s wall, %M KB peak" "$bin" --db "$db" trace contratacoes_mensal \
    --where "$where" --limit 3 > trace.txt
done
grep -E '^ *(<- )?[a-z_.]+ \(' trace.txt

# 3. impact of one raw page (the contratacoes page with the most records), 5 runs.
page=$("$bin" --db "$db" query -f csv "select r.payload_sha256 from raw.api_requests r join runtime.task_results t using (request_id) where r.endpoint = 'contratacoes_publicacao' order by t.records_count desc, 1 limit 1" | tail -1)
for i in 1 2 3 4 5; do
  /usr/bin/time -f "impact run $i: %e s wall, %M KB peak" "$bin" --db "$db" impact --page "${page:0:16}" \
    --limit 3 > impact.txt || true
done
grep -E '^ *(<- )?[a-z_.]+ \(' impact.txt
# Baseline: the same process doing nothing but open the file.
/usr/bin/time -f "query 'select 1': %e s wall" "$bin" --db "$db" query "select 1" > /dev/null
