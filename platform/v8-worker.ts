/**
 * The dynamic worker a V8ScriptHost runs a run's scripts in (script-host-v8.ts): its code built from the
 * prelude, the libraries and the run's scripts (shared/sandbox/v8/worker-code.ts), the name that stands for
 * that code, and how the platform's failures of the isolate read as the QuickJS host's limit errors.
 */
import type { ScriptOutcome } from "../shared/engine/types";
import { V8_HOST_SOURCE, V8_MAIN_SOURCE } from "../shared/sandbox/generated/v8-entry";
import { preludeSource } from "../shared/sandbox/libraries";
import { CHUNK_SCRIPTS, type ScriptGroup, sha256, workerCode } from "../shared/sandbox/v8/worker-code";

export const COMPATIBILITY_DATE = "2026-10-20";
/**
 * Node.js compatibility, on by default from 2026-08-04, off: scripts get no `process` or `Buffer` (host.js
 * would hide them) and the isolate does not set them up. Libraries bring their own polyfills.
 */
export const COMPATIBILITY_FLAGS = ["no_nodejs_compat", "no_nodejs_compat_v2"];

/** A built worker: its name (which stands for its code), the code and its modules of scripts. */
export interface BuiltWorker {
  name: string;
  code: WorkerLoaderWorkerCode;
  groups: ScriptGroup[];
  /** Script id → its module and index there. */
  places: Map<string, { module: string; index: number }>;
}

/** What a run's worker is made of, as the host keeps it. */
export interface WorkerParts {
  runId: string;
  /** Bumped when the host drops its isolate: the next one gets a fresh name. */
  generation: number;
  libraries: Map<string, string>;
  /** Script id → source. */
  scripts: Map<string, string>;
  /** Script id → the SyntaxError it fails with (left out of the modules). */
  broken: Map<string, string>;
  /** Scripts given a module of their own. */
  singles: Set<string>;
}

/**
 * The worker for these parts. Its name stands for its code, so a restarted object with the same scripts
 * reuses the isolate: the prelude's and libraries' hashes (once per Worker isolate), then the scripts and
 * the broken ones, in one digest instead of every module's text per run.
 */
export async function buildWorker(parts: WorkerParts): Promise<BuiltWorker> {
  const prelude = await preludeSource();
  const { modules, groups } = workerCode({
    prelude,
    libraries: parts.libraries,
    scripts: parts.scripts,
    broken: parts.broken,
    singles: parts.singles,
  });
  const places = new Map<string, { module: string; index: number }>();
  for (const { module, ids } of groups)
    for (const [index, id] of ids.entries()) places.set(id, { module, index });
  const libraries: string[][] = [];
  for (const [lib, text] of parts.libraries) libraries.push([lib, await contentHash(`lib:${lib}`, text)]);
  const identity = [
    await contentHash("prelude", prelude),
    libraries,
    [...parts.scripts],
    [...parts.broken],
    [...parts.singles],
    CHUNK_SCRIPTS,
  ];
  const hash = await sha256(JSON.stringify(identity));
  return {
    name: `edgerun:${parts.runId}:${hash.slice(0, 24)}:${parts.generation}`,
    groups,
    places,
    code: {
      compatibilityDate: COMPATIBILITY_DATE,
      compatibilityFlags: COMPATIBILITY_FLAGS,
      mainModule: "main.js",
      modules,
      env: {},
      globalOutbound: null,
    },
  };
}

/** Hashes of the prelude's and the libraries' text (with the entry modules'), once per Worker isolate. */
const contentHashes = new Map<string, Promise<string>>();
function contentHash(key: string, text: string): Promise<string> {
  let hash = contentHashes.get(key);
  if (!hash) {
    hash = sha256(key === "prelude" ? `${V8_HOST_SOURCE}\n${V8_MAIN_SOURCE}\n${text}` : text);
    contentHashes.set(key, hash);
  }
  return hash;
}

type Failed = (name: string, message: string) => ScriptOutcome;

/** The platform stopped the isolate at a limit (CPU, memory) or the engine's wall deadline passed. */
export function isLimit(message: string): boolean {
  return /exceeded (its )?cpu|cpu time limit|^wall: |memory limit|out of memory/i.test(message);
}

/** A failure of the isolate itself, named as the QuickJS host names the same limits. */
export function limitFailure(message: string, timeoutMs: number, failed: Failed): ScriptOutcome {
  if (message === "stack")
    return failed("ScriptStackError", "script exceeded the stack limit (unbounded recursion?)");
  if (/exceeded (its )?cpu|cpu time limit|^wall: /i.test(message))
    return failed("ScriptTimeoutError", `script exceeded its CPU/time budget of ${timeoutMs} ms`);
  if (/memory limit|out of memory/i.test(message))
    return failed("ScriptMemoryError", "script exceeded the memory limit of 128 MiB");
  return failed("ScriptError", `sandbox could not start: ${message}`);
}
