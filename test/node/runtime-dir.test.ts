import { spawnSync } from "node:child_process";
import { existsSync, mkdirSync, mkdtempSync, rmSync, statfsSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterEach, beforeEach, describe, expect, it } from "vitest";
import {
  markRuntimeDir,
  RUNTIME_DIR_PREFIX,
  runtimeTempDir,
  sweepStaleRuntimeDirs,
} from "../../cli/runtime-dir";

describe("the embedded runtime's directory", () => {
  it("is EDGERUN_RUNTIME_DIR when set", () => {
    expect(runtimeTempDir({ EDGERUN_RUNTIME_DIR: "/var/tmp" })).toBe("/var/tmp");
  });

  it("is /dev/shm when it is a roomy tmpfs, else the temporary directory", () => {
    let shm = false;
    try {
      const fs = statfsSync("/dev/shm");
      shm = process.platform === "linux" && fs.bavail * fs.bsize >= 1024 ** 3;
    } catch {
      shm = false;
    }
    expect(runtimeTempDir({})).toBe(shm ? "/dev/shm" : tmpdir());
    expect(runtimeTempDir({ EDGERUN_RUNTIME_DIR: "  " })).toBe(shm ? "/dev/shm" : tmpdir());
  });
});

describe("stale runtime directories", () => {
  let base: string;
  beforeEach(() => {
    base = mkdtempSync(join(tmpdir(), "edgerun-sweep-"));
  });
  afterEach(() => rmSync(base, { recursive: true, force: true }));

  const runtimeDir = (suffix: string, pid?: number) => {
    const dir = join(base, `${RUNTIME_DIR_PREFIX}${suffix}`);
    mkdirSync(join(dir, "storage"), { recursive: true });
    if (pid !== undefined) markRuntimeDir(dir, pid);
    return dir;
  };

  it("removes those of a CLI that is gone, keeps live, unmarked and unrelated ones", () => {
    // A process that has exited: its PID is not alive (the kernel does not reuse it this quickly).
    const gone = spawnSync(process.execPath, ["-e", "process.exit(0)"]).pid;
    const dead = runtimeDir("dead01", gone);
    const live = runtimeDir("live01", process.pid);
    const unmarked = runtimeDir("new001");
    const other = join(base, "something-else");
    mkdirSync(other);
    expect(sweepStaleRuntimeDirs(base)).toBe(1);
    expect(existsSync(dead)).toBe(false);
    expect(existsSync(live)).toBe(true);
    expect(existsSync(unmarked)).toBe(true);
    expect(existsSync(other)).toBe(true);
  });

  it("is harmless when the base does not exist", () => {
    expect(sweepStaleRuntimeDirs(join(base, "missing"))).toBe(0);
  });
});
