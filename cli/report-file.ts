/**
 * Report files written as the server streams them: a 100,000-request run's Newman JSON is hundreds of
 * MB, so the CLI never holds it whole. The scopes for `--export-environment`/`--export-globals` are
 * read from the report's head (they precede `run`).
 */
import { once } from "node:events";
import { createWriteStream, type WriteStream } from "node:fs";
import { mkdir } from "node:fs/promises";
import { dirname } from "node:path";
import { CliError } from "./args";

export interface ScopeJson {
  id?: string;
  name?: string;
  values?: unknown[];
}

/** Where `run` starts in the streamed report: everything before it is collection, environment, globals. */
const RUN_KEY = ',"run":{';
/** The head is read only this far; a collection larger than this exports no scopes from the head. */
const MAX_HEAD_CHARS = 64 * 1024 * 1024;

async function open(path: string): Promise<{ out: WriteStream; failed: Promise<never> }> {
  await mkdir(dirname(path), { recursive: true });
  const out = createWriteStream(path);
  const failed = once(out, "error").then(([error]) => Promise.reject(error as Error));
  failed.catch(() => {});
  return { out, failed };
}

/**
 * Writes a report response to `path` chunk by chunk (when `path` is given) and, when asked, returns
 * the environment and globals of a Newman report from the text before its `run` key.
 */
export async function saveReport(
  res: Response,
  opts: { path?: string; scopes?: boolean },
): Promise<{ environment?: ScopeJson; globals?: ScopeJson } | undefined> {
  const file = opts.path ? await open(opts.path).catch((e: Error) => fail(opts.path!, e)) : undefined;
  const decoder = new TextDecoder();
  let head = opts.scopes ? "" : undefined;
  let scopes: { environment?: ScopeJson; globals?: ScopeJson } | undefined;
  try {
    for await (const chunk of res.body ?? []) {
      if (file && !file.out.write(chunk)) await Promise.race([once(file.out, "drain"), file.failed]);
      if (head === undefined) continue;
      head += decoder.decode(chunk, { stream: true });
      const at = head.indexOf(RUN_KEY);
      if (at >= 0) {
        scopes = JSON.parse(`${head.slice(0, at)}}`) as typeof scopes;
        head = undefined;
      } else if (head.length > MAX_HEAD_CHARS) head = undefined;
    }
    if (file) {
      file.out.end();
      await Promise.race([once(file.out, "finish"), file.failed]);
    }
  } catch (error) {
    if (file && opts.path) fail(opts.path, error as Error);
    throw error;
  }
  return scopes;
}

/**
 * Writes a report generated as text chunks (the local fallback's Newman JSON and JUnit) to `path`,
 * honouring back-pressure, so the report is never one string in memory.
 */
export async function writeReportStream(path: string, chunks: AsyncIterable<string>): Promise<void> {
  const file = await open(path).catch((e: Error) => fail(path, e));
  try {
    for await (const chunk of chunks)
      if (!file.out.write(chunk)) await Promise.race([once(file.out, "drain"), file.failed]);
    file.out.end();
    await Promise.race([once(file.out, "finish"), file.failed]);
  } catch (error) {
    file.out.destroy();
    fail(path, error as Error);
  }
}

function fail(path: string, error: Error): never {
  throw new CliError(`Could not write '${path}': ${error.message}`);
}
