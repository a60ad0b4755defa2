/**
 * `edgerun run` stops when told to (issue 11): the real CLI as a child process in its own process group,
 * the real embedded workerd, an endless collection against the real echo target. Signals go to the CLI
 * alone or to its whole group (what `timeout(1)` and a terminal's Ctrl-C do); `/proc` shows whether any
 * workerd of that group survived.
 */
import { spawn } from "node:child_process";
import { mkdtemp, readFile, rm, writeFile } from "node:fs/promises";
import { connect, createServer, type Socket } from "node:net";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterAll, afterEach, beforeAll, describe, expect, inject, it, vi } from "vitest";
import { startEmbedded } from "../../cli/server";
import { type Cli, expectNoWorkerdLeft, killStartedClis, spawnCli, workerdsOf } from "./cli-process";

/** One request that sends itself next, forever (Newman's classic endless loop). */
const ENDLESS = {
  info: { name: "endless" },
  item: [
    {
      name: "loop",
      request: { url: "{{base}}/get" },
      event: [
        {
          listen: "test",
          script: {
            exec: [
              "pm.test('answers', () => pm.response.to.have.status(200));",
              "postman.setNextRequest('loop');",
            ],
          },
        },
      ],
    },
  ],
};

let dir: string;

// Whatever a failed test left running is killed after it.
afterEach(killStartedClis);

beforeAll(async () => {
  dir = await mkdtemp(join(tmpdir(), "edgerun-signals-"));
  await writeFile(join(dir, "endless.json"), JSON.stringify(ENDLESS));
});

afterAll(async () => {
  await rm(dir, { recursive: true, force: true });
});

/** Starts the CLI as a process-group leader and waits until the endless run has reported a request. */
async function startEndless(extra: string[] = []): Promise<Cli> {
  const cli = spawnCli([
    "run",
    join(dir, "endless.json"),
    "--env-var",
    `base=${inject("targetUrl")}`,
    ...extra,
  ]);
  await vi.waitFor(
    () => {
      if (cli.child.exitCode !== null) throw new Error(`the CLI exited early: ${cli.stderr()}`);
      expect(cli.stdout()).toContain("→ loop");
    },
    { timeout: 30_000, interval: 100 },
  );
  return cli;
}

/** The exit code, or a failure if the CLI is still running after `ms` (then it is killed). */
async function exitWithin(cli: Cli, ms: number): Promise<number | null> {
  let timer: NodeJS.Timeout | undefined;
  const late = new Promise<"late">((resolve) => {
    timer = setTimeout(() => resolve("late"), ms);
  });
  const result = await Promise.race([cli.exited, late]);
  clearTimeout(timer);
  if (result === "late") {
    process.kill(-cli.pid, "SIGKILL");
    throw new Error(`the CLI did not exit within ${ms} ms; stderr: ${cli.stderr()}`);
  }
  return result;
}

/** A few busy-loop processes for the length of one test, so the CLI is stopped on a loaded machine. */
function cpuLoad(n: number): () => void {
  const burners = Array.from({ length: n }, () =>
    spawn(process.execPath, ["-e", "const end = Date.now() + 60000; while (Date.now() < end) {}"], {
      stdio: "ignore",
    }),
  );
  return () => {
    for (const b of burners) b.kill("SIGKILL");
  };
}

describe("edgerun run under signals", () => {
  it("SIGTERM to the CLI: cancels, prints the partial summary, writes the JSON report, exits 130, no workerd left", async () => {
    const report = join(dir, "term.json");
    const cli = await startEndless(["-r", "cli,json", "--reporter-json-export", report]);
    expect(workerdsOf(cli.pid).length).toBeGreaterThan(0);
    process.kill(cli.pid, "SIGTERM");
    expect(await exitWithin(cli, 15_000), cli.stderr()).toBe(130);
    expect(cli.stderr()).toContain("Cancelling the run");
    expect(cli.stdout()).toContain("Run cancelled.");
    expect(cli.stdout()).toMatch(/│\s+requests │/);
    const json = JSON.parse(await readFile(report, "utf8")) as {
      run: { executions: unknown[]; stats: { requests: { total: number } } };
    };
    expect(json.run.executions.length).toBeGreaterThan(0);
    expect(json.run.stats.requests.total).toBeGreaterThan(0);
    await expectNoWorkerdLeft(cli.pid);
  }, 90_000);

  it.each<[NodeJS.Signals, string]>([
    ["SIGTERM", "as timeout(1) sends it"],
    ["SIGINT", "as a terminal's Ctrl-C sends it; workerd exits on it"],
  ])(
    "%s to the whole process group (%s), on a loaded machine: exit 130, no workerd left",
    async (signal, _why) => {
      const cli = await startEndless();
      const unload = cpuLoad(3);
      try {
        process.kill(-cli.pid, signal);
        expect(await exitWithin(cli, 15_000), cli.stderr()).toBe(130);
      } finally {
        unload();
      }
      await expectNoWorkerdLeft(cli.pid);
    },
    90_000,
  );

  it("a second signal exits at once", async () => {
    const cli = await startEndless();
    process.kill(cli.pid, "SIGTERM");
    await vi.waitFor(() => expect(cli.stderr()).toContain("Cancelling the run"), {
      timeout: 10_000,
      interval: 5,
    });
    try {
      process.kill(cli.pid, "SIGTERM");
    } catch (error) {
      // The cancel was confirmed and the CLI already gone before the second signal: still a clean stop.
      if ((error as NodeJS.ErrnoException).code !== "ESRCH") throw error;
    }
    expect(await exitWithin(cli, 15_000)).toBe(130);
    await expectNoWorkerdLeft(cli.pid);
  }, 90_000);

  it("stdout closed early (`| head -1`): the run still finishes, writes its report and exits 1 for a failure", async () => {
    const failing = {
      info: { name: "piped" },
      item: Array.from({ length: 20 }, (_, i) => ({
        name: `r${i}`,
        request: { url: `{{base}}/get?i=${i}` },
        event: [{ listen: "test", script: { exec: ["pm.test('fails', () => pm.expect(1).to.equal(2));"] } }],
      })),
    };
    await writeFile(join(dir, "piped.json"), JSON.stringify(failing));
    const report = join(dir, "piped-report.json");
    const cli = spawnCli([
      "run",
      join(dir, "piped.json"),
      "--env-var",
      `base=${inject("targetUrl")}`,
      "-r",
      "cli,json",
      "--reporter-json-export",
      report,
    ]);
    // What `head -1` does: read the first chunk, then close the pipe.
    cli.child.stdout?.once("data", () => cli.child.stdout?.destroy());
    expect(await exitWithin(cli, 60_000)).toBe(1);
    const json = JSON.parse(await readFile(report, "utf8")) as {
      run: { stats: { requests: { total: number } } };
    };
    expect(json.run.stats.requests.total).toBe(20);
    expect(cli.stderr()).toBe("");
  }, 90_000);

  it("SIGKILL of the embedded workerd: one line on stderr, exit 1, no hang", async () => {
    const cli = await startEndless();
    const [workerd] = workerdsOf(cli.pid);
    expect(workerd).toBeDefined();
    process.kill(workerd!.pid, "SIGKILL");
    expect(await exitWithin(cli, 15_000)).toBe(1);
    expect(cli.stderr()).toMatch(
      /^error: The embedded edgerun server \(workerd, pid \d+\) exited unexpectedly/m,
    );
    expect(cli.stderr().trim().split("\n")).toHaveLength(1);
    await expectNoWorkerdLeft(cli.pid);
  }, 90_000);

  it("SIGTERM of the embedded workerd alone (it drains and refuses new connections): says so, exits 1", async () => {
    const cli = await startEndless();
    const [workerd] = workerdsOf(cli.pid);
    process.kill(workerd!.pid, "SIGTERM");
    expect(await exitWithin(cli, 30_000)).toBe(1);
    // It drains (the probes are refused) or, with a V8 isolate loaded, exits: either way, one line.
    expect(cli.stderr()).toMatch(
      /^error: (The edgerun server at http:\/\/127\.0\.0\.1:\d+ stopped answering|The embedded edgerun server \(workerd, pid \d+\) exited unexpectedly)/m,
    );
    await expectNoWorkerdLeft(cli.pid);
  }, 90_000);

  it("a remote server that goes away mid-run (--server): one line on stderr, exit 1, no hang", async () => {
    const server = await startEmbedded();
    // A TCP proxy in front of the server, closed for good once the run is under way.
    const sockets = new Set<Socket>();
    const proxy = createServer((client) => {
      const upstream = connect(Number(new URL(server.baseUrl).port), "127.0.0.1");
      for (const s of [client, upstream]) {
        sockets.add(s);
        s.on("error", () => {});
      }
      client.pipe(upstream).pipe(client);
    });
    await new Promise<void>((resolve) => proxy.listen(0, "127.0.0.1", resolve));
    const { port } = proxy.address() as { port: number };
    try {
      const cli = await startEndless(["--server", `http://127.0.0.1:${port}`, "--api-key", server.apiKey]);
      proxy.close();
      for (const s of sockets) s.destroy();
      expect(await exitWithin(cli, 60_000)).toBe(1);
      expect(cli.stderr()).toMatch(
        /^error: (The edgerun server at http:\/\/127\.0\.0\.1:\d+ stopped answering|Lost the event stream)/m,
      );
      expect(cli.stderr().trim().split("\n")).toHaveLength(1);
    } finally {
      proxy.close();
      await server.stop();
    }
  }, 120_000);
});
