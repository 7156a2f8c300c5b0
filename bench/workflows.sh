#!/usr/bin/env bash
# Workflows and period runs (issue 14) on the example project projects/examples/workforce:
#   1. `baliza workflow run setup` end to end on an empty database (target: under 1 s), 5 runs;
#   2. a 5-year `build --periods 2025..2029 --step year -s tag:yearly` with 100k employees a
#      year (var replicas=200: the 500-person census 200 times; target: under 5 s), 3 runs.
# Usage: bench/workflows.sh [replicas (default 200)] [work dir]
# Prints wall and CPU seconds per run and the machine's load average (the machine is shared).
set -euo pipefail
replicas="${1:-200}"
root="$(cd "$(dirname "$0")/.." && pwd)"
work="${2:-$(mktemp -d)}"
bin="$root/build/baliza"
mkdir -p "$work"
export BALIZA_CEILING_DIRECTORIES="$(dirname "$work")"
echo "baliza: $bin; work: $work; $(nproc) cores; load average: $(cut -d' ' -f1-3 /proc/loadavg)"

fresh() {
  rm -rf "$work/p"
  cp -r "$root/projects/examples/workforce" "$work/p"
  rm -rf "$work/p/data" "$work/p/target"
}

echo "== setup workflow, empty database each time"
for i in 1 2 3 4 5; do
  fresh
  ( cd "$work/p" && /usr/bin/time -f "setup run $i: %e s wall, %U+%S s CPU, %M KB peak" \
      "$bin" -q workflow run setup > setup.txt )
done
grep -E '^workflow setup' "$work/p/setup.txt"

echo "== 5 years, $replicas x 500 employees"
for i in 1 2 3; do
  fresh
  ( cd "$work/p"
    "$bin" -q workflow run setup --vars "{\"replicas\": $replicas}" > /dev/null
    /usr/bin/time -f "5-year run $i: %e s wall, %U+%S s CPU, %M KB peak" \
      "$bin" -q build --periods 2025..2029 --step year -s tag:yearly \
      --vars "{\"replicas\": $replicas}" > periods.txt
    cat periods.txt )
done
( cd "$work/p" && "$bin" query "select sim_year, count(*) as employees, sum(salary) as payroll from fct_workforce group by 1 order by 1" )
echo "load average after: $(cut -d' ' -f1-3 /proc/loadavg)"
