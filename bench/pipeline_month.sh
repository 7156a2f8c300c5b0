#!/usr/bin/env bash
# One realistic PNCP month end to end through the simulator (issue 5's benchmark):
# plan -> extract every page over loopback HTTP -> raw store -> staging, quarantine, marts,
# data tests, accounting. --scale 42 gives about 100k contratos, 60k contratacoes and 20k atas
# published in the month (plus the atualizacao endpoints' versions).
#   bench/pipeline_month.sh [scale=42] [month=2024-03]
# Prints wall time, peak memory, per-stage times, records, and bytes stored per record.
set -euo pipefail
# The month's date-planned endpoints: items and results (about 430k requests at scale 42, one
# per purchase) are measured on their own by bench/items_month.sh.
month_endpoints=(--endpoint contratacoes_publicacao --endpoint contratacoes_atualizacao
  --endpoint contratos --endpoint contratos_atualizacao --endpoint atas_atualizacao
  --endpoint pca_atualizacao --endpoint instrumentoscobranca_inclusao)
root=$(cd "$(dirname "$0")/.." && pwd)
scale=${1:-42}
month=${2:-2024-03}
work=$(mktemp -d)
trap 'rm -rf "$work"' EXIT
cd "$work"
/usr/bin/time -f "wall %e s, peak RSS %M KB" "$root/build/baliza" demo --mes "$month" \
  --scale "$scale" "${month_endpoints[@]}" -q > out.txt 2> time.txt || { cat out.txt time.txt; exit 1; }
grep -E "^(total|time:|models and tests|accounting:)" out.txt
tail -1 time.txt
db=data/demo.duckdb
"$root/build/baliza" --db "$db" query -f csv "
  with records as (select sum(input_rows) as n from meta.model_accounting
                   where model like '%_registros' and run_id = (select max_by(run_id, computed_at)
                                                                from meta.model_accounting))
  select (select count(*) from raw.api_requests) as pages,
         (select n from records) as records,
         (select sum(raw_size) from raw.payloads) as json_bytes,
         (select sum(compressed_size) from raw.payloads) as stored_bytes,
         round((select sum(raw_size) from raw.payloads) / (select sum(compressed_size) from raw.payloads), 1) as ratio,
         round((select sum(compressed_size) from raw.payloads) / (select n from records), 1) as stored_bytes_per_record"
echo "database file: $(du -h "$db" | cut -f1)"
