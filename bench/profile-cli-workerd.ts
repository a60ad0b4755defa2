/**
 * CPU profile of the CLI's embedded workerd (the Worker's isolate, its Durable Objects included) from
 * the moment it listens until the first `request.completed` of a CLI run: where the cold submission and
 * the run's start go. The CLI runs in this process (cli/main.ts) against the benchmark collection and
 * the echo target; the profile is written as a `.cpuprofile` and its top functions printed.
 *
 *   node --experimental-websocket --import tsx bench/profile-cli-workerd.ts [--requests 5000] [--from N --until M]
 *
 * `--from N --until M`: profile the steady state instead, from the CLI printing request N to request M.
 */
import { writeFileSync } from "node:fs";
import { mkdtemp, rm, writeFile } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { parseArgs } from "node:util";
import { main } from "../cli/main";
import { startEmbedded } from "../cli/server";
import { startEchoServer } from "../test/echo-server";
import { benchCollection } from "./lib/collections";
import { connectInspector } from "./lib/inspector";

const { values } = parseArgs({
  options: {
    requests: { type: "string", default: "5000" },
    from: { type: "string" },
    until: { type: "string" },
  },
});
interface Node {
  id: number;
  callFrame: { functionName: string; url: string; lineNumber: number };
  children?: number[];
}
interface Profile {
  nodes: Node[];
  samples: number[];
  timeDeltas: number[];
}

const port = 9300 + Math.floor(Math.random() * 500);
process.env.EDGERUN_WORKERD_INSPECTOR = `127.0.0.1:${port}`;
const echo = await startEchoServer();
const dir = await mkdtemp(join(tmpdir(), "edgerun-prof-cli-"));
const file = join(dir, "c.json");
await writeFile(file, JSON.stringify(benchCollection(Number(values.requests))));
let stopped: Promise<Profile> | undefined;
let stopProfile: () => void = () => {};
let startProfile: () => void = () => {};
const embedded = startEmbedded().then(async (server) => {
  const inspector = await connectInspector(port);
  await inspector.send("Profiler.enable");
  await inspector.send("Profiler.setSamplingInterval", { interval: 100 });
  startProfile = () => void inspector.send("Profiler.start");
  if (values.from === undefined) await inspector.send("Profiler.start");
  stopProfile = () => {
    stopped ??= inspector.send("Profiler.stop").then((r) => (r as { profile: Profile }).profile);
  };
  return server;
});
const starts = values.from === undefined ? undefined : `request ${values.from}\n`;
const stops = values.until === undefined ? "status is 200" : `request ${values.until}\n`;
const sink = {
  isTTY: false,
  write: (text: string) => {
    if (starts && text.includes(starts)) startProfile();
    if (text.includes(stops)) stopProfile();
  },
};
const code = await main(
  ["run", file, "--env-var", `base=${echo.url}`, "-r", "cli"],
  { stdout: sink, stderr: process.stderr },
  { embedded },
);
if (!stopped) throw new Error(`no profile (exit code ${code})`);
const profile = await stopped;
writeFileSync(join(tmpdir(), "cli-workerd.cpuprofile"), JSON.stringify(profile));
const byId = new Map(profile.nodes.map((n) => [n.id, n]));
const self = new Map<string, number>();
let total = 0;
profile.samples.forEach((id, i) => {
  const cf = byId.get(id)!.callFrame;
  const key = `${cf.functionName || "(anonymous)"} ${cf.url.split("/").pop()}:${cf.lineNumber}`;
  const dt = (profile.timeDeltas[i] ?? 0) / 1000;
  self.set(key, (self.get(key) ?? 0) + dt);
  total += dt;
});
console.log(`profile: ${total.toFixed(0)} ms (${join(tmpdir(), "cli-workerd.cpuprofile")})`);
for (const [k, v] of [...self].sort((a, b) => b[1] - a[1]).slice(0, 40))
  console.log(v.toFixed(1).padStart(8), k);
await echo.close();
await rm(dir, { recursive: true, force: true });
