/**
 * Newman's --export-* files: environment, globals, collection and cookie jar, in the shapes Newman
 * writes them, so Postman, Newman and edgerun can read them back.
 */
import { statSync } from "node:fs";
import { mkdir, writeFile } from "node:fs/promises";
import { dirname, join } from "node:path";
import { CliError } from "./args";
import type { ScopeJson } from "./report-file";

/** Newman's file-name time stamp: the ISO time's digits joined by `-`, and a `0` after it. */
function stamp(): string {
  return `${new Date().toISOString().replace(/[^\d]+/g, "-")}0`;
}

/**
 * Where a report or export goes, as Newman decides it: the path given; inside it when it is an
 * existing folder (`--reporter-junit-export results/`), as `<base>-<time>0.<ext>`; without a path, the
 * same name under `newman/` (Newman's default names, so CI globs written for Newman find them).
 */
export function outputPath(given: string | undefined, base: string, ext: string): string {
  const name = `${base}-${stamp()}.${ext}`;
  if (given === undefined || given === "") return join("newman", name);
  let folder = false;
  try {
    folder = statSync(given).isDirectory();
  } catch {
    // not there yet: a file to create
  }
  return folder ? join(given, name) : given;
}

/** Writes an export or report file, creating its folder; a failure is one CliError line. */
export async function writeOutput(path: string, content: string): Promise<void> {
  try {
    await mkdir(dirname(path), { recursive: true });
    await writeFile(path, content);
  } catch (error) {
    throw new CliError(`Could not write '${path}': ${(error as Error).message}`);
  }
}

/** A Postman export file: `body`, then the fields every Postman export ends with, pretty-printed. */
function postmanExport(body: Record<string, unknown>, kind: string, tool: string): string {
  const file = {
    ...body,
    _postman_variable_scope: kind,
    _postman_exported_at: new Date().toISOString(),
    _postman_exported_using: tool,
  };
  return `${JSON.stringify(file, null, 2)}\n`;
}

/** Newman's exported environment/globals file shape, so Postman can import it back. */
export function exportScope(
  scope: ScopeJson | undefined,
  kind: "environment" | "globals",
  tool: string,
): string {
  const body = {
    id: scope?.id ?? crypto.randomUUID(),
    name: scope?.name ?? (kind === "globals" ? "globals" : "environment"),
    values: scope?.values ?? [],
  };
  return postmanExport(body, kind, tool);
}

/**
 * Newman's --export-collection: the collection as it was run (scripts do not change it: Newman exports
 * the parsed collection, not the variables a run set), with the fields of Postman's exports.
 */
export function exportCollection(collection: unknown, tool: string): string {
  const json = (collection && typeof collection === "object" ? collection : {}) as Record<string, unknown>;
  return postmanExport({ ...json, name: json.name ?? "collection" }, "collection", tool);
}

/** tough-cookie's version field for exported jars (the library the engine's jar is built on). */
const JAR_VERSION = "tough-cookie@6.1.0";

/** Newman's --export-cookie-jar file: tough-cookie's serialised jar (Newman's --cookie-jar reads it). */
export function exportCookieJar(cookies: unknown[]): string {
  return `${JSON.stringify(
    {
      version: JAR_VERSION,
      storeType: "MemoryCookieStore",
      rejectPublicSuffixes: true,
      enableLooseMode: false,
      allowSpecialUseDomain: true,
      prefixSecurity: "silent",
      cookies,
    },
    null,
    2,
  )}\n`;
}
