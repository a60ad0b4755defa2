/**
 * Where the embedded runtime keeps its throwaway directory (config, links to the bundle, SQLite). The
 * storage lives only as long as one CLI process (it outlives a crashed workerd, which is respawned on it,
 * never the machine), so a memory-backed tmpfs loses nothing and saves the disk's `fsync` on every
 * commit of the run's Durable Object (on this machine's disk, 5,000 scripted requests took 10.3–13.0 s
 * on disk and 7.1 s here).
 */
import {
  accessSync,
  constants,
  readdirSync,
  readFileSync,
  rmSync,
  statfsSync,
  statSync,
  writeFileSync,
} from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { processAlive } from "./process-alive";

/** Linux's shared-memory tmpfs: present on practically every distribution and container. */
const SHM = "/dev/shm";
/** Below this much free space the disk is the safer place (a long run stores ≈ 1 KB per request). */
const MIN_FREE_BYTES = 1024 ** 3;

/**
 * `EDGERUN_RUNTIME_DIR` when set (e.g. to keep the storage on disk), else `/dev/shm` when it is a
 * writable tmpfs with at least 1 GiB free, else the system's temporary directory.
 */
export function runtimeTempDir(env: Record<string, string | undefined> = process.env): string {
  const chosen = env.EDGERUN_RUNTIME_DIR?.trim();
  if (chosen) return chosen;
  return usableShm() ? SHM : tmpdir();
}

function usableShm(): boolean {
  if (process.platform !== "linux") return false;
  try {
    if (!statSync(SHM).isDirectory()) return false;
    accessSync(SHM, constants.W_OK);
    const fs = statfsSync(SHM);
    return fs.bavail * fs.bsize >= MIN_FREE_BYTES;
  } catch {
    return false;
  }
}

/** The prefix of every runtime directory (`mkdtemp` adds six characters). */
export const RUNTIME_DIR_PREFIX = "edgerun-workerd-";
const OWNER_FILE = "owner.pid";

/** Records which CLI process a runtime directory belongs to, for `sweepStaleRuntimeDirs`. */
export function markRuntimeDir(dir: string, pid = process.pid): void {
  writeFileSync(join(dir, OWNER_FILE), String(pid));
}

/**
 * Removes the runtime directories that a CLI killed without a chance to clean up (SIGKILL, a power cut of
 * the container) left in `base`: on tmpfs they would hold memory until the next boot. Only directories
 * whose recorded owner is no longer alive; one without an owner file is still being set up, or predates
 * owner files, and is left alone. Returns how many were removed.
 */
export function sweepStaleRuntimeDirs(base: string): number {
  let removed = 0;
  let names: string[];
  try {
    names = readdirSync(base).filter((name) => name.startsWith(RUNTIME_DIR_PREFIX));
  } catch {
    return 0;
  }
  for (const name of names) {
    const dir = join(base, name);
    let pid: number;
    try {
      pid = Number(readFileSync(join(dir, OWNER_FILE), "utf8"));
    } catch {
      continue;
    }
    if (!Number.isInteger(pid) || pid <= 0 || processAlive(pid)) continue;
    try {
      rmSync(dir, { recursive: true, force: true });
      removed++;
    } catch {
      // another CLI is sweeping it too, or it is not ours to remove: left
    }
  }
  return removed;
}
