# Sourced by bench/wakes.sh and bench/perf-workerd.sh: starts a bench:cpu case in the background with
# its output in "$1" and the case's arguments after it, then waits for its workerd. Sets `bench` (the
# bench's PID) and `pid` (workerd's); if no workerd appears, prints the bench's output and exits 1.
bench_cpu_in_background() {
  log=$1; shift
  # npm run's node (node_modules/.bin/node: the project's Node with node:sqlite), not /usr/bin/node.
  PATH="$PWD/node_modules/.bin:$PATH" node --import tsx bench/cpu-per-request.ts "$@" > "$log" 2>&1 &
  bench=$!
  pid=""
  for _ in $(seq 1 300); do
    pid=$(pgrep -P "$bench" workerd || true)
    [ -n "$pid" ] && break
    kill -0 "$bench" 2>/dev/null || break
    sleep 0.1
  done
  [ -n "$pid" ] || { cat "$log"; rm -f "$log"; exit 1; }
}
