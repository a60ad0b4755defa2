// Where workerd's samples went, by isolate and kind: reads `perf script -F comm,tid,ip,sym` (stdin or a
// file) and prints each class's share. Used by bench/perf-workerd.sh; with interpreted frames named
// (EDGERUN_V8_FLAGS="--perf-basic-prof --interpreted-frames-native-stack"), the JS frames tell the main
// Worker (index.js) from a run's dynamic V8 isolate (prelude.js, lib/*.js, host.js, main.js, c/N/script.js).
//   perf script -i perf.data -F comm,tid,ip,sym | node bench/perf-classes.mjs
import { readFileSync } from "node:fs";

const text = readFileSync(process.argv[2] ?? 0, "utf8");
const counts = new Map();
let total = 0;

/** The module a JS frame is in: a script chunk's number does not matter. */
function moduleOf(frame) {
  const m = /\s([\w./:-]+\.js):\d+/.exec(frame);
  return m ? m[1].replace(/^c\/\d+\//, "c/N/") : frame.slice(0, 40);
}

/** A sample's class: creating a dynamic worker, GC, compiling (for whose code) or running (whose code). */
function classOf(frames) {
  const all = frames.join("\n");
  const js = frames.find((f) => f.startsWith("JS:"));
  const where = js
    ? js.includes("index.js")
      ? "main Worker"
      : `run's isolate ${moduleOf(js)}`
    : "no JS frame";
  if (/factory_new_worker|Worker::Isolate::newScript|compileModules|IsolateBase::IsolateBase/.test(all))
    return "dynamic worker created (isolate, module compile)";
  if (
    /Heap::CollectGarbage|Scavenger|MarkCompact|ConcurrentMarking|IncrementalMarking|Sweeper|MinorGC/.test(
      all,
    )
  )
    return "GC";
  if (
    /Compiler::Compile|CompileLazy|Parser|OptimizedCompilationJob|[Mm]aglev|compiler::Pipeline|Sparkplug/.test(
      all,
    )
  )
    return `compile, ${where}`;
  return `run, ${where}`;
}

for (const sample of text.split("\n\n")) {
  const lines = sample.trim().split("\n");
  if (!/\d+\s*$/.test(lines[0] ?? "")) continue;
  total++;
  // The main thread is `workerd`; V8's worker threads (background compile, GC) have their own names.
  const thread = lines[0].startsWith("workerd") ? "main" : "bg  ";
  const frames = lines.slice(1).map((l) => l.trim().replace(/^[0-9a-f]+\s+/, ""));
  const key = `${thread} ${classOf(frames)}`;
  counts.set(key, (counts.get(key) ?? 0) + 1);
}
for (const [key, n] of [...counts].sort((a, b) => b[1] - a[1]).slice(0, 24))
  console.log(`${((100 * n) / total).toFixed(1).padStart(5)}%  ${key}`);
console.log(`${total} samples`);
