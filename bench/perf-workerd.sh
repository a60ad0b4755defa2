#!/bin/sh
# Where workerd's CPU goes during a bench:cpu case, by perf (no inspector attached, so calls into the
# runtime are not overstated as in profile-workerd.ts): JS frames are named through V8's
# --perf-basic-prof (EDGERUN_V8_FLAGS, passed by cli/workerd.ts). Prints the inclusive share of our
# JS functions and the self share by kind (JS, V8 builtins and internals, workerd, kernel, …).
#   sh bench/perf-workerd.sh --runs 1 --requests 5000 --backend v8 --repeats 1 --unscripted
# Needs perf and kernel.perf_event_paranoid ≤ 2 (user-space samples of one's own processes).
# EDGERUN_V8_FLAGS from the caller replaces the default flags (see the classes' note below).
set -eu
out=${TMPDIR:-/tmp}/edgerun-perf.$$
export EDGERUN_V8_FLAGS="${EDGERUN_V8_FLAGS:---perf-basic-prof}"
. bench/lib/bench-cpu-bg.sh
bench_cpu_in_background "$out.bench" "$@"
sleep 1.5 # past the bundle's load and compile
perf record -F 2000 -g -p "$pid" -o "$out.data" > /dev/null 2>&1 &
tracer=$!
wait "$bench" || true
kill -INT "$tracer" 2>/dev/null || true
wait "$tracer" || true
grep workerdCpu "$out.bench" || cat "$out.bench"
perf report -i "$out.data" --stdio 2>/dev/null | grep -m1 '^# Samples' || true
echo "inclusive, our JS functions (index.js: the Worker bundle):"
perf report -i "$out.data" --children --sort sym -g none --percent-limit 0.5 2>/dev/null |
  grep -E '^ +[0-9].*JS:' | head -40 | cut -c1-110
echo "self, by kind:"
perf report -i "$out.data" --no-children --sort sym -g none --percent-limit 0 2>/dev/null |
  grep -E '^ +[0-9]' | awk '{ p = $1; sub("%", "", p); s = $0; c = "other native"
    if (s ~ /\[k\]/) c = "kernel"; else if (s ~ /JS:|RegExp\./) c = "JS (jitted)"
    else if (s ~ /Builtins_/) c = "V8 builtins"; else if (s ~ /v8::/) c = "V8 internals (GC, ICs, API)"
    else if (s ~ /sqlite/) c = "SQLite"; else if (s ~ /tcmalloc|TCMalloc|malloc|free/) c = "malloc"
    else if (s ~ /hyper|tokio|http::|kj_hyper|futures/) c = "HTTP client (hyper)"
    else if (s ~ /workerd::jsg/) c = "jsg (bindings)"; else if (s ~ /workerd::api/) c = "workerd api"
    else if (s ~ /kj::/) c = "kj (event loop, I/O)"
    t[c] += p } END { for (c in t) printf "%6.2f%%  %s\n", t[c], c }' | sort -rn
echo "by isolate and kind (bench/perf-classes.mjs; name interpreted frames with"
echo "EDGERUN_V8_FLAGS=\"--perf-basic-prof --interpreted-frames-native-stack\", which costs ≈ 30 % more CPU):"
perf script -i "$out.data" -F comm,tid,ip,sym 2>/dev/null | node bench/perf-classes.mjs || true
echo "perf data: $out.data (perf report -i $out.data)"
rm -f "$out.bench"
