#!/usr/bin/env bash
# Items and results of a realistic PNCP month (issue 10): how many requests the maintenance
# API needs (one per page of 500 items per purchase, one count per purchase with items that
# proves its items, one per item with results) and how many
# hours that is at the live API's pace, from the simulator's ground truth at a realistic
# volume; then one day of it measured end to end (baliza run over loopback, --rate 1000) to
# check that the extractor makes exactly the predicted requests.
#   bench/items_month.sh [scale=85] [month=2024-03] [measured_day=2024-03-05]
# scale 85 gives about 121k purchases published in the month (the live API's 2025 average).
set -euo pipefail
root=$(cd "$(dirname "$0")/.." && pwd)
scale=${1:-85}
month=${2:-2024-03}
day=${3:-2024-03-05}
sim="$root/build/tools/pncp-sim/pncp-sim"
first="${month}-01"
last=$(date -d "$first +1 month -1 day" +%F)
today=$(date -d "$first +1 month" +%Y%m%d)
work=$(mktemp -d)
trap 'rm -rf "$work"; [ -n "${simpid:-}" ] && kill "$simpid" 2>/dev/null || true' EXIT

echo "== ground truth: $first .. $last at scale $scale"
"$sim" --today "$today" --scale "$scale" itens --from "$first" --to "$last" --page-size 500 \
  > "$work/month.json"
python3 - "$work/month.json" <<'PY'
import json, sys
m = json.load(open(sys.argv[1]))
req = m["requests_itens"] + m["requests_quantidade"] + m["requests_resultados"]
print(f"purchases {m['compras']:,}  without items {m['compras_sem_itens']:,}  items {m['itens']:,}"
      f"  items with results {m['itens_com_resultado']:,}  results {m['resultados']:,}"
      f"  largest purchase {m['max_itens']} items")
print(f"requests: items {m['requests_itens']:,} + counts {m['requests_quantidade']:,}"
      f" + results {m['requests_resultados']:,} = {req:,}  ({req / m['compras']:.2f} per purchase)")
print(f"the counts alone (.../itens/quantidade, one per purchase with items): "
      f"{m['requests_quantidade'] / 0.5 / 3600:.1f} h at 0.5/s")
for label, rate in [("safe pace, 1 request / 2 s (0.5/s)", 0.5),
                    ("reported sustained 0.3/s", 0.3),
                    ("adaptive ceiling 2/s (if never throttled)", 2.0)]:
    h = req / rate / 3600
    print(f"  {label:45s} {h:8.1f} h = {h / 24:5.1f} days; 4 client addresses: {h / 4:7.1f} h")
PY

echo "== measured: $day at scale $scale (publicacao listing, then items and results)"
port=$((20000 + RANDOM % 20000))
"$sim" --today "$today" --scale "$scale" --port "$port" --threads 4 > "$work/sim.log" 2>&1 &
simpid=$!
sleep 1
cd "$work"
/usr/bin/time -f "wall %e s, peak RSS %M KB" "$root/build/baliza" --db items.duckdb run \
  --range "$day:$day" --base-url "http://127.0.0.1:$port/api/consulta" --rate 1000 \
  --concurrency 4 --endpoint contratacoes_publicacao --endpoint itens_compra \
  --endpoint resultados_item -q > out.txt 2> time.txt || { cat out.txt time.txt; exit 1; }
tail -1 time.txt
grep -E "^time:" out.txt
"$sim" --today "$today" --scale "$scale" itens --from "$day" --to "$day" --page-size 500 \
  > day.json
"$root/build/baliza" --db items.duckdb query -f csv "
  select endpoint, count(*) as requests, count(*) filter (where http_status = 200) as pages_200,
         count(*) filter (where http_status = 204) as empty_204
  from raw.api_requests where endpoint in ('itens_compra', 'resultados_item')
  group by 1 order by 1"
python3 - day.json <<'PY'
import json, sys
d = json.load(open(sys.argv[1]))
print(f"predicted for the day: itens_compra {d['requests_itens']} pages + "
      f"{d['requests_quantidade']} counts, resultados_item "
      f"{d['requests_resultados']} (purchases {d['compras']}, items {d['itens']})")
PY
"$root/build/baliza" --db items.duckdb query -f csv "
  select (select count(*) from staging.itens_compra) as items_staged,
         (select count(*) from staging.resultados_item) as results_staged,
         (select count(*) from marts.precos_unitarios) as price_rows"
