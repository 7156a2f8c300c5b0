#!/usr/bin/env bash
# What emitting OpenLineage events costs a month's transform (issue 12's target: < 2%).
# Builds a month once (`baliza demo --mes 2024-02 --scale S`), then runs the same
# `baliza transform --full-refresh` on it in pairs: events disabled (OPENLINEAGE_DISABLED=true)
# and events on with the file transport (every event written to a JSON-lines file), the order
# alternating from pair to pair, one warm-up pair dropped. Per run: wall seconds and CPU seconds
# (user + sys of the baliza process, GNU time), so that the load of other processes on the
# machine moves wall time more than CPU time. The run with events also prints what its events
# cost in CPU as the process measured it (the threads' own CPU while building and writing them;
# the model parse and column lineage the build reuses are not counted: they run without events
# too). Prints medians, spreads (min-max), the median of the per-pair differences, that measured
# cost as a share of the transform, the events per run and the load average before and after.
# Usage: bench/ol_events.sh [scale] [pairs] [work dir]   (reuses <work dir>/data/demo.duckdb)
set -euo pipefail
scale="${1:-1}"
pairs="${2:-8}"
root="$(cd "$(dirname "$0")/.." && pwd)"
work="${3:-$(mktemp -d)}"
bin="${BALIZA:-$root/build/baliza}"
cd "$work"
db=data/demo.duckdb
if [ ! -f "$db" ]; then
  OPENLINEAGE_DISABLED=true "$bin" demo --mes 2024-02 --scale "$scale" -q > /dev/null 2>&1
fi
unset OPENLINEAGE_URL OPENLINEAGE__TRANSPORT__LOG_FILE_PATH OPENLINEAGE_DISABLED
echo "database: $work/$db ($(du -h "$db" | cut -f1)), $(nproc) cores, scale $scale"
load_before=$(cut -d' ' -f1-3 /proc/loadavg)

# run <on|off>: prints "<wall> <cpu>" of one transform
run() {
  rm -f events.jsonl
  local env=(OPENLINEAGE_DISABLED=true)
  [ "$1" = on ] && env=(OPENLINEAGE__TRANSPORT__LOG_FILE_PATH="$work/events.jsonl")
  env "${env[@]}" /usr/bin/time -f '%e %U %S' -o time.txt \
    "$bin" --db "$db" transform --full-refresh -q > transform.txt 2>&1
  read -r wall user sys < time.txt
  echo "$wall $(echo "$user + $sys" | bc)"
}

# median and spread of the numbers on stdin
stats() { sort -g | awk '{v[NR]=$1} END {m=(NR%2)?v[(NR+1)/2]:(v[NR/2]+v[NR/2+1])/2;
  printf "%.3f (%.3f..%.3f)", m, v[1], v[NR]}'; }
median() { sort -g | awk '{v[NR]=$1} END {m=(NR%2)?v[(NR+1)/2]:(v[NR/2]+v[NR/2+1])/2; print m}'; }

off_wall=(); off_cpu=(); on_wall=(); on_cpu=(); d_wall=(); d_cpu=(); cost=(); events=0
for i in $(seq 0 "$pairs"); do
  if [ $((i % 2)) -eq 0 ]; then order=(off on); else order=(on off); fi
  declare -A w c
  for mode in "${order[@]}"; do
    read -r w[$mode] c[$mode] < <(run "$mode")
    if [ "$mode" = on ]; then
      events=$(wc -l < events.jsonl)
      cost_now=$(grep -oE 'events cost [0-9.]+ s CPU' transform.txt | grep -oE '[0-9.]+' || echo 0)
    fi
  done
  [ "$i" -eq 0 ] && continue  # warm-up pair
  cost+=("$cost_now")
  off_wall+=("${w[off]}"); off_cpu+=("${c[off]}"); on_wall+=("${w[on]}"); on_cpu+=("${c[on]}")
  d_wall+=("$(echo "scale=6; 100 * (${w[on]} - ${w[off]}) / ${w[off]}" | bc)")
  d_cpu+=("$(echo "scale=6; 100 * (${c[on]} - ${c[off]}) / ${c[off]}" | bc)")
  printf 'pair %d: off %s s wall %s s cpu, on %s s wall %s s cpu\n' "$i" "${w[off]}" "${c[off]}" \
    "${w[on]}" "${c[on]}"
done
load_after=$(cut -d' ' -f1-3 /proc/loadavg)
mo=$(printf '%s\n' "${off_cpu[@]}" | median); mn=$(printf '%s\n' "${on_cpu[@]}" | median)
printf '\n%d pairs, %d events per run with events on; load average before %s, after %s\n' \
  "$pairs" "$events" "$load_before" "$load_after"
printf '| | events off | events on | on vs off (median of pairs) |\n|---|---|---|---|\n'
printf '| wall s | %s | %s | %s%% (%s) |\n' "$(printf '%s\n' "${off_wall[@]}" | stats)" \
  "$(printf '%s\n' "${on_wall[@]}" | stats)" "$(printf '%s\n' "${d_wall[@]}" | median)" \
  "$(printf '%s\n' "${d_wall[@]}" | stats)"
printf '| CPU s | %s | %s | %s%% (%s) |\n' "$(printf '%s\n' "${off_cpu[@]}" | stats)" \
  "$(printf '%s\n' "${on_cpu[@]}" | stats)" "$(printf '%s\n' "${d_cpu[@]}" | median)" \
  "$(printf '%s\n' "${d_cpu[@]}" | stats)"
printf 'difference of the CPU medians: %s%%\n' "$(echo "scale=3; 100 * ($mn - $mo) / $mo" | bc)"
mc=$(printf '%s\n' "${cost[@]}" | median); mw=$(printf '%s\n' "${off_wall[@]}" | median)
printf 'events cost measured in the process: %s s CPU; %s%% of the transform CPU (events off median), %s%% of its wall time\n' \
  "$(printf '%s\n' "${cost[@]}" | stats)" "$(echo "scale=3; 100 * $mc / $mo" | bc)" \
  "$(echo "scale=3; 100 * $mc / $mw" | bc)"
