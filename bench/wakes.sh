#!/bin/sh
# Counts what workerd does per request of a bench:cpu case: syscalls by name (strace -c) or
# scheduler/CPU counters (perf stat), over the whole case (start included; divide by the requests).
#   sh bench/wakes.sh strace --runs 1 --requests 2000 --backend v8 --repeats 1
#   sh bench/wakes.sh perf   --runs 1 --requests 2000 --backend v8 --repeats 1
# strace slows workerd (its CPU figure is then not comparable); perf stat's software counters do not.
set -eu
tool=$1; shift
out=${TMPDIR:-/tmp}/edgerun-wakes.$$
. bench/lib/bench-cpu-bg.sh
bench_cpu_in_background "$out.bench" "$@"
sleep 1 # let workerd load the bundle before counting
case $tool in
  strace) strace -f -c -o "$out.count" -p "$pid" & ;;
  perf) perf stat -e task-clock,context-switches,cpu-migrations,page-faults -p "$pid" -o "$out.count" & ;;
esac
tracer=$!
wait "$bench" || true
kill -INT "$tracer" 2>/dev/null || true
wait "$tracer" || true
cat "$out.bench" "$out.count"
rm -f "$out.bench" "$out.count"
