/**
 * The embedded stack's start and stop (issue 16): workerd is started directly (before the CLI has
 * loaded), its SQLite storage lives in a temporary directory, and nothing of it outlives the CLI —
 * after a run, after a command that never needed the server, and after a signal during start-up.
 * Real CLI processes, real workerd, the real echo target; no timing assertions (speed is bench/'s).
 */
import { existsSync, readlinkSync } from "node:fs";
import { mkdtemp, rm, writeFile } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterAll, afterEach, beforeAll, describe, expect, inject, it, vi } from "vitest";
import { listProcesses } from "../../cli/runtime-process";
import { embeddedScriptBackend, startEmbedded } from "../../cli/server";
import { spawnCli as cli, expectNoWorkerdLeft, killStartedClis } from "./cli-process";

const ONE_REQUEST = {
  info: { name: "one" },
  item: [
    {
      name: "get",
      request: { url: "{{base}}/get" },
      event: [
        { listen: "test", script: { exec: ["pm.test('answers', () => pm.response.to.have.status(200));"] } },
      ],
    },
  ],
};

let dir: string;

beforeAll(async () => {
  dir = await mkdtemp(join(tmpdir(), "edgerun-startup-"));
  await writeFile(join(dir, "one.json"), JSON.stringify(ONE_REQUEST));
});

afterAll(async () => {
  await rm(dir, { recursive: true, force: true });
});

afterEach(killStartedClis);

describe("embedded stack start-up", () => {
  it("EDGERUN_DEBUG_TIMING=1 prints each phase on stderr, in order, and the run is unchanged", async () => {
    const run = cli(["run", join(dir, "one.json"), "--env-var", `base=${inject("targetUrl")}`], {
      EDGERUN_DEBUG_TIMING: "1",
    });
    expect(await run.exited, run.stderr()).toBe(0);
    expect(run.stdout()).toContain("→ get");
    const phases = [...run.stderr().matchAll(/^\[timing\] +\d+\.\d ms (.+)$/gm)].map((m) => m[1]);
    const order = [
      "node started, bin.mjs running",
      "embedded server starting",
      "cli/main.ts imported",
      "server ready",
      "run submitted",
      "run.completed",
      "server stopped",
      "exiting",
    ].map((p) => phases.findIndex((phase) => phase?.startsWith(p)));
    expect(order.every((i) => i >= 0)).toBe(true);
    expect([...order].sort((a, b) => a - b)).toEqual(order);
    // Nothing but timing lines on stderr.
    expect(
      run
        .stderr()
        .trim()
        .split("\n")
        .every((l) => l.startsWith("[timing] ")),
    ).toBe(true);
    await expectNoWorkerdLeft(run.pid);
  }, 60_000);

  it("is silent without the variable", async () => {
    const run = cli(["run", join(dir, "one.json"), "--env-var", `base=${inject("targetUrl")}`]);
    expect(await run.exited, run.stderr()).toBe(0);
    expect(run.stderr()).toBe("");
  }, 60_000);

  it("stop() ends workerd and removes its storage directory", async () => {
    const server = await startEmbedded();
    const [workerd] = listProcesses().filter((p) => p.ppid === process.pid && p.comm.startsWith("workerd"));
    expect(workerd).toBeDefined();
    const storage = readlinkSync(`/proc/${workerd!.pid}/cwd`);
    expect(existsSync(join(storage, "storage"))).toBe(true);
    const res = await server.api("/healthz");
    expect(res.status).toBe(200);
    await res.body?.cancel();
    await server.stop();
    expect(existsSync(storage)).toBe(false);
    await vi.waitFor(() => expect(listProcesses().some((p) => p.pid === workerd!.pid)).toBe(false), {
      timeout: 5000,
      interval: 50,
    });
  }, 60_000);

  it("a command that fails before the run stops the workerd started for it", async () => {
    const run = cli(["run", join(dir, "missing.json")]);
    expect(await run.exited).toBe(1);
    expect(run.stderr()).toMatch(/^error: .*missing\.json/m);
    await expectNoWorkerdLeft(run.pid);
  }, 60_000);

  it("SIGTERM while workerd is still starting: the CLI exits and no workerd is left", async () => {
    const run = cli(["run", join(dir, "one.json"), "--env-var", `base=${inject("targetUrl")}`], {
      EDGERUN_DEBUG_TIMING: "1",
    });
    // As soon as the CLI says it started workerd (usually before workerd listens).
    await vi.waitFor(() => expect(run.stderr()).toContain("embedded server starting"), {
      timeout: 30_000,
      interval: 5,
    });
    process.kill(run.pid, "SIGTERM");
    const code = await run.exited;
    // 143 when the signal came before the run was submitted; 130 if the run had already started.
    expect([130, 143]).toContain(code);
    await expectNoWorkerdLeft(run.pid);
  }, 60_000);
});

describe("the embedded stack's script backend", () => {
  it("is V8 unless SCRIPT_BACKEND says otherwise (guarded: see the next tests)", () => {
    const saved = process.env.SCRIPT_BACKEND;
    try {
      delete process.env.SCRIPT_BACKEND;
      expect(embeddedScriptBackend()).toBe("v8");
      process.env.SCRIPT_BACKEND = "quickjs";
      expect(embeddedScriptBackend()).toBe("quickjs");
    } finally {
      if (saved === undefined) delete process.env.SCRIPT_BACKEND;
      else process.env.SCRIPT_BACKEND = saved;
    }
  });

  it("an endless loop is interrupted at the script budget and the run goes on", async () => {
    const loop = {
      info: { name: "loop" },
      item: [
        {
          name: "stuck",
          event: [{ listen: "prerequest", script: { exec: ["while (true) {}"] } }],
          request: { url: "{{base}}/get" },
        },
        ONE_REQUEST.item[0],
      ],
    };
    await writeFile(join(dir, "loop.json"), JSON.stringify(loop));
    const run = cli([
      "run",
      join(dir, "loop.json"),
      "--env-var",
      `base=${inject("targetUrl")}`,
      "--timeout-script",
      "300",
    ]);
    expect(await run.exited, run.stderr()).toBe(1);
    expect(run.stdout(), run.stderr()).toContain("script exceeded its CPU/time budget of 300 ms");
    expect(run.stdout()).toContain("✓  answers");
    // Scripts run in V8 by default; the stuck one got the runtime restarted with QuickJS (once).
    expect(run.stderr().match(/restarted with QuickJS/g)).toHaveLength(1);
    expect(run.stderr()).toContain("a script did not finish");
  });

  it("a script that allocates without bound ends at QuickJS's memory limit and the run goes on", async () => {
    const hog = {
      info: { name: "hog" },
      item: [
        {
          name: "greedy",
          event: [
            {
              listen: "test",
              script: { exec: ["const keep = []; for (;;) keep.push(new Array(1e6).fill(Math.random()));"] },
            },
          ],
          request: { url: "{{base}}/get" },
        },
        ONE_REQUEST.item[0],
      ],
    };
    await writeFile(join(dir, "hog.json"), JSON.stringify(hog));
    const run = cli(["run", join(dir, "hog.json"), "--env-var", `base=${inject("targetUrl")}`]);
    expect(await run.exited, run.stderr()).toBe(1);
    expect(run.stdout(), run.stderr()).toMatch(/script exceeded the memory limit of \d+ MiB/);
    expect(run.stdout()).toContain("✓  answers");
    expect(run.stderr()).toContain("restarted with QuickJS");
  }, 60_000);
});
