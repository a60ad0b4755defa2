#!/usr/bin/env node
// Memory retained by a running local stack after runs finish (issue 11's "worker memory grew" finding).
// Start the stack first (`PORT=8793 npm start`), then: `node bench/local-memory.mjs [port] [runs] [requests]`.
// Prints workerd's RSS before, after every 100 finished runs, and after 60 s idle.
import { execSync } from "node:child_process";

const port = process.argv[2] ?? "8793";
const runs = Number(process.argv[3] ?? 300);
const requests = Number(process.argv[4] ?? 1);
const base = `http://127.0.0.1:${port}`;
const headers = { authorization: "Bearer edgerun-dev-key", "content-type": "application/json" };
const pid = execSync(`ss -ltnp | grep ':${port} ' | grep -o 'pid=[0-9]*' | head -1`)
  .toString()
  .trim()
  .slice(4);
const rssOf = (p) =>
  Math.round(Number(/VmRSS:\s+(\d+)/.exec(execSync(`cat /proc/${p}/status`).toString())[1]) / 1024);
// Under `wrangler dev` the process on the port is wrangler's proxy workerd; edgerun's Worker and objects
// run in a sibling workerd (replaced on every reload), so both are printed.
const siblings = () =>
  execSync(`ps -eo pid=,ppid=,comm=`)
    .toString()
    .split("\n")
    .map((l) => l.trim().split(/\s+/))
    .filter(
      ([p, pp, c]) =>
        c === "workerd" && p !== pid && pp === execSync(`ps -o ppid= -p ${pid}`).toString().trim(),
    )
    .map(([p]) => p);
const rss = () => `${rssOf(pid)} (sibling workerd: ${siblings().map(rssOf).join(", ") || "none"})`;
const collection = {
  info: { name: "memory" },
  item: Array.from({ length: requests }, (_, i) => ({
    name: `r${i}`,
    request: { method: "GET", url: `http://127.0.0.1:${process.env.ECHO_PORT ?? 8788}/get?i=${i}` },
    event: [{ listen: "test", script: { exec: ["pm.test('ok', () => pm.response.to.have.status(200));"] } }],
  })),
};
const finished = async (id) => {
  for (;;) {
    const s = await (await fetch(`${base}/v1/runs/${id}`, { headers })).json();
    if (!["queued", "running"].includes(s.status)) return;
    await new Promise((r) => setTimeout(r, 200));
  }
};
console.log(`workerd pid ${pid}: RSS ${rss()} MB before`);
for (let done = 0; done < runs; ) {
  const ids = [];
  for (let i = 0; i < 20 && done + ids.length < runs; i++) {
    const res = await fetch(`${base}/v1/runs`, {
      method: "POST",
      headers,
      body: JSON.stringify({ collection }),
    });
    ids.push((await res.json()).id);
  }
  for (const id of ids) await finished(id);
  done += ids.length;
  if (done % 100 === 0 || done === runs) console.log(`${done} runs finished: RSS ${rss()} MB`);
}
await new Promise((r) => setTimeout(r, 60_000));
console.log(`after 60 s idle: RSS ${rss()} MB`);
