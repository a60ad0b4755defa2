#!/bin/sh
# Counts what workerd does per request of a bench:cpu case: syscalls by name (strace -c) or
# scheduler/CPU counters (perf stat), over the whole case (start included; divide by the requests).
#   sh bench/wakes.sh strace --runs 1 --requests 2000 --backend v8 --repeats 1
#   sh bench/wakes.sh perf   --runs 1 --requests 2000 --backend v8 --repeats 1
# strace slows workerd (its CPU figure is then not comparable); perf stat's software counters do not.
set -eu
tool=$1; shift
out=${TMPDIR:-/tmp}/edgerun-wakes.$$
# npm run's node (node_modules/.bin/node: the project's Node with node:sqlite), not /usr/bin/node.
PATH="$PWD/node_modules/.bin:$PATH" node --import tsx bench/cpu-per-request.ts "$@" > "$out.bench" 2>&1 &
bench=$!
pid=""
for _ in $(seq 1 300); do
  pid=$(pgrep -P "$bench" workerd || true)
  [ -n "$pid" ] && break
  kill -0 "$bench" 2>/dev/null || break
  sleep 0.1
done
[ -n "$pid" ] || { cat "$out.bench"; rm -f "$out.bench"; exit 1; }
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
