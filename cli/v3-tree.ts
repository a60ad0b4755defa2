/**
 * `edgerun run <dir>`: reads a Postman Collection v3 tree from disk (a `postman/collections/<name>/`
 * directory, or the repository root holding `postman/`), converts it to v2.1 JSON locally so that file
 * errors name the file and line before any server starts, and resolves `-e NAME` from
 * `postman/environments/`.
 */
import { readdir, readFile, stat } from "node:fs/promises";
import { basename, dirname, join, relative, resolve } from "node:path";
import type { convertV3 } from "../shared/engine/v3";
import { CliError } from "./args";

type JsonObject = Record<string, unknown>;

/** Whether the collection argument is a directory (a v3 tree) rather than a file, URL or stdin. */
export async function isDirectory(source: string): Promise<boolean> {
  if (source === "-" || /^https?:\/\//i.test(source)) return false;
  return (await stat(source).catch(() => null))?.isDirectory() ?? false;
}

async function collect(
  dir: string,
  base: string,
  out: Record<string, string>,
  maxFiles: number,
): Promise<void> {
  const entries = await readdir(dir, { withFileTypes: true }).catch(() => []);
  for (const entry of entries) {
    const path = join(dir, entry.name);
    if (entry.isDirectory()) await collect(path, base, out, maxFiles);
    else if (entry.isFile() && /\.ya?ml$/i.test(entry.name)) {
      if (Object.keys(out).length >= maxFiles) {
        throw new CliError(`The collection tree '${base}' has more than ${maxFiles} YAML files.`);
      }
      out[relative(base, path).split("\\").join("/")] = await readFile(path, "utf8");
    }
  }
}

/** The repository root for a tree argument, and which collection under it was meant. */
function locate(dir: string, hasPostman: boolean): { root: string; collection?: string } {
  if (hasPostman) return { root: dir };
  const parent = dirname(dir);
  if (basename(parent) === "collections" && basename(dirname(parent)) === "postman") {
    return { root: dirname(dirname(parent)), collection: basename(dir) };
  }
  return { root: dir };
}

export interface V3Inputs {
  collection: JsonObject;
  environment?: JsonObject;
}

/** Reads and converts the tree; `environment` is an environment name (or undefined). */
export async function readV3Tree(source: string, environment: string | undefined): Promise<V3Inputs> {
  // The converter (and its YAML parser) loads only for a tree: a JSON run does not pay for it at start-up.
  const { convertV3, V3_LIMITS, V3Error } = await import("../shared/engine/v3");
  const dir = resolve(source);
  const hasPostman =
    (await stat(join(dir, "postman", "collections")).catch(() => null))?.isDirectory() ?? false;
  const { root, collection } = locate(dir, hasPostman);
  const files: Record<string, string> = {};
  if (root === dir && !hasPostman) await collect(dir, dir, files, V3_LIMITS.files);
  else {
    await collect(collection ? dir : join(root, "postman", "collections"), root, files, V3_LIMITS.files);
    await collect(join(root, "postman", "environments"), root, files, V3_LIMITS.files);
  }
  if (!Object.keys(files).some((p) => !/\.environment\.ya?ml$/i.test(p))) {
    throw new CliError(`The directory '${source}' holds no Postman v3 collection (no .yaml files).`);
  }
  let converted: ReturnType<typeof convertV3>;
  try {
    converted = convertV3({ files, collection });
  } catch (error) {
    if (error instanceof V3Error && error.path === "postman/collections/") {
      throw new CliError(
        `${error.detail}: run edgerun run ${join(root, "postman", "collections", "<name>")}`,
      );
    }
    if (error instanceof V3Error) {
      throw new CliError(
        `The v3 collection is invalid: ${join(root, error.path)}:${error.line}:${error.column}: ${error.detail}`,
      );
    }
    throw error;
  }
  for (const s of converted.skipped) process.stderr.write(`warning: skipped ${s.path}: ${s.reason}\n`);
  if (environment === undefined) return { collection: converted.collection };
  const env = converted.environments[environment];
  if (!env) {
    const names = Object.keys(converted.environments);
    throw new CliError(
      `No environment named '${environment}' in ${join(root, "postman", "environments")} (found: ${names.length ? names.join(", ") : "none"}).`,
    );
  }
  return { collection: converted.collection, environment: env };
}

/** With a v3 tree, `-e` is an environment's name unless it is a file path, a URL or stdin. */
export async function environmentName(arg: string | undefined): Promise<string | undefined> {
  if (arg === undefined || arg === "-" || /^https?:\/\//i.test(arg)) return undefined;
  return (await stat(arg).catch(() => null)) ? undefined : arg;
}
