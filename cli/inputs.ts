/**
 * Reads the run's inputs (collection, environment, globals, data) from files, URLs or stdin and
 * builds the `POST /v1/runs` body. Every failure is a one-line CliError that names the file.
 */
import { existsSync } from "node:fs";
import { readFile, stat } from "node:fs/promises";
import { isAbsolute, relative, resolve as resolvePath } from "node:path";
import { isV1Collection } from "../shared/engine/convert-v1";
import { decodeText } from "../shared/engine/data-file";
import { collectionInput, scopeInput } from "../shared/engine/input-shapes";
import { checkJsonLimits, LIMITS } from "../shared/engine/limits";
import { CliError, type RunArgs } from "./args";
import { type PostmanResource, postmanApiError, postmanApiRequest } from "./postman-api";
import { environmentName, isDirectory, readV3Tree } from "./v3-tree";

type JsonObject = Record<string, unknown>;

let stdinUsed = false;

async function readStdin(what: string): Promise<string> {
  if (stdinUsed)
    throw new CliError(`Only one input can be read from stdin ('-'); ${what} also asked for it.`);
  stdinUsed = true;
  const chunks: Buffer[] = [];
  for await (const chunk of process.stdin) chunks.push(chunk as Buffer);
  return decodeText(Buffer.concat(chunks));
}

/** Where a collection or environment may come from the Postman API (postman-api.ts). */
export interface PostmanSource {
  resource: PostmanResource;
  apiKey: string | undefined;
}

async function fetchSource(url: string, what: string, headers: Record<string, string> = {}): Promise<string> {
  let res: Response;
  try {
    res = await fetch(url, { headers });
  } catch (error) {
    throw new CliError(`Could not fetch the ${what} from ${url}: ${(error as Error).message}`);
  }
  const text = decodeText(new Uint8Array(await res.arrayBuffer()));
  if (!res.ok) {
    const reason = postmanApiError(text);
    throw new CliError(
      `Could not fetch the ${what} from ${url}: HTTP ${res.status}${reason ? ` (${reason})` : ""}`,
    );
  }
  return text;
}

/**
 * Reads a path, `-` (stdin) or an http(s) URL, as Newman accepts for its file arguments; UTF-8 and
 * UTF-16 (LE/BE) with or without BOM. With `postman`, also a Postman UID or API URL, as Newman's
 * `--postman-api-key` allows.
 */
export async function readSource(source: string, what: string, postman?: PostmanSource): Promise<string> {
  if (source === "-") return readStdin(what);
  const api = postman
    ? postmanApiRequest({ location: source, ...postman, fileExists: existsSync(source) })
    : undefined;
  if (api) return fetchSource(api.url, what, api.headers);
  if (/^https?:\/\//i.test(source)) return fetchSource(source, what);
  try {
    return decodeText(await readFile(source));
  } catch (error) {
    const code = (error as NodeJS.ErrnoException).code;
    if (code === "ENOENT") throw new CliError(`The ${what} file '${source}' does not exist.`);
    if (code === "EISDIR") throw new CliError(`The ${what} path '${source}' is a directory, not a file.`);
    if (code === "EACCES")
      throw new CliError(`The ${what} file '${source}' is not readable (permission denied).`);
    throw new CliError(`Could not read the ${what} file '${source}': ${(error as Error).message}`);
  }
}

/** Parses JSON with an error that says which file and where, not a bare SyntaxError. */
export function parseJsonObject(
  text: string,
  source: string,
  what: string,
  shape: (value: unknown) => unknown = (v) => v,
): JsonObject {
  let value: unknown;
  try {
    value = JSON.parse(text.replace(/^\uFEFF/, ""));
  } catch (error) {
    throw new CliError(`The ${what} '${source}' is not valid JSON: ${(error as Error).message}`);
  }
  // Before anything recursive sees it (conversion, JSON.stringify of the submission): a file nested
  // thousands of levels deep overflowed the stack here; the API refuses it past the same depth.
  const [tooDeep] = checkJsonLimits(value, { maxDepth: LIMITS.bodyJsonDepth });
  if (tooDeep)
    throw new CliError(
      `The ${what} '${source}' is nested deeper than ${LIMITS.bodyJsonDepth} levels (at ${tooDeep.pointer || "/"}).`,
    );
  value = shape(value);
  if (typeof value !== "object" || value === null || Array.isArray(value)) {
    throw new CliError(`The ${what} '${source}' must be a JSON object.`);
  }
  return value as JsonObject;
}

/** Newman's --env-var / --global-var: override an existing key or add a new one. */
export function applyOverrides(
  scope: JsonObject | undefined,
  pairs: Array<[string, string]>,
): JsonObject | undefined {
  if (!pairs.length) return scope;
  const target: JsonObject = scope ?? { values: [] };
  const values = Array.isArray(target.values) ? [...(target.values as JsonObject[])] : [];
  for (const [key, value] of pairs) {
    const existing = values.findIndex((v) => v && v.key === key);
    const entry = { ...(existing >= 0 ? values[existing] : { type: "any" }), key, value, enabled: true };
    if (existing >= 0) values[existing] = entry;
    else values.push(entry);
  }
  return { ...target, values };
}

const MAX_INLINE_FILE_BYTES = 5 * 1024 * 1024;

/**
 * Newman reads form-data and binary body files from disk (`src`, relative to --working-dir); a cloud run
 * cannot, so the CLI inlines each one as a data: URI in `value`/`content`, keeping `src` for the file name.
 * A missing file is not fatal, as in Newman: the part is left without content, and the engine puts
 * postman-runtime's warning on that request's console (the event stream, the cli reporter) and leaves
 * the part out (a binary body goes empty).
 */
export async function inlineLocalFiles(
  collection: JsonObject,
  workingDir: string,
  allowOutside: boolean,
): Promise<void> {
  const load = async (src: string): Promise<string | undefined> => {
    const path = isAbsolute(src) ? src : resolvePath(workingDir, src);
    const rel = relative(workingDir, path);
    if (!allowOutside && (rel.startsWith("..") || isAbsolute(rel))) {
      throw new CliError(`The file '${src}' is outside the working directory (--no-insecure-file-read).`);
    }
    const info = await stat(path).catch(() => null);
    if (!info) return undefined;
    if (!info.isFile())
      throw new CliError(`The file '${src}' used by a request body is not a file (${path}).`);
    if (info.size > MAX_INLINE_FILE_BYTES) {
      throw new CliError(
        `The file '${src}' is larger than ${MAX_INLINE_FILE_BYTES / 1048576} MiB, the limit for uploads.`,
      );
    }
    return `data:application/octet-stream;base64,${(await readFile(path)).toString("base64")}`;
  };
  const visit = async (items: unknown): Promise<void> => {
    if (!Array.isArray(items)) return;
    for (const item of items as JsonObject[]) {
      if (!item || typeof item !== "object") continue;
      await visit(item.item);
      const body = (item.request as JsonObject | undefined)?.body as JsonObject | undefined;
      if (!body || typeof body !== "object") continue;
      if (body.mode === "formdata" && Array.isArray(body.formdata)) {
        for (const part of body.formdata as JsonObject[]) {
          const src = Array.isArray(part?.src) ? part.src[0] : part?.src;
          if (
            part?.type !== "file" ||
            part.disabled ||
            typeof src !== "string" ||
            !src ||
            src.startsWith("data:")
          )
            continue;
          if (typeof part.value === "string" && part.value !== "") continue;
          const value = await load(src);
          if (value !== undefined) part.value = value;
        }
      }
      const file = body.file as JsonObject | undefined;
      if (
        body.mode === "file" &&
        file &&
        typeof file.src === "string" &&
        file.src &&
        !file.src.startsWith("data:")
      ) {
        if (file.content === undefined) {
          const content = await load(file.src);
          if (content !== undefined) file.content = content;
        }
      }
    }
  };
  await visit(collection.item);
}

/**
 * A cookie jar file as Newman's --cookie-jar reads it: tough-cookie's serialised jar (`{ cookies: [...] }`,
 * what --export-cookie-jar writes) or a bare list of its cookies.
 */
function jarCookies(text: string, source: string): unknown[] {
  let value: unknown;
  try {
    value = JSON.parse(text);
  } catch (error) {
    throw new CliError(`The cookie jar '${source}' is not valid JSON: ${(error as Error).message}`);
  }
  const list = Array.isArray(value) ? value : (value as { cookies?: unknown } | null)?.cookies;
  if (!Array.isArray(list))
    throw new CliError(
      `The cookie jar '${source}' holds no cookie list (tough-cookie's { "cookies": [...] }).`,
    );
  return list;
}

const V1_WARNING =
  "newman: Newman v4 deprecates support for the v1 collection format\n  Use the Postman Native app to export collections in the v2 format";

/**
 * Everything `POST /v1/runs` needs, read and checked locally so mistakes fail before any server starts.
 * Inputs in Newman's other shapes (v1, API wrappers, bare variable arrays) are normalised here already,
 * so uploads inside a v1 collection are found; `warn` gets what Newman would warn about.
 */
/**
 * The iteration data to send, or undefined where Newman runs without any: an empty file (csv-parse finds
 * no rows) or JSON that is not an array (postman-runtime takes only an array of rows). Newman says
 * nothing then; edgerun warns, since a data file that holds no rows is most likely a mistake.
 */
function usableIterationData(
  text: string,
  file: string,
  warn: (message: string) => void,
): string | undefined {
  const trimmed = text.replace(/^\uFEFF/, "").trim();
  let reason = trimmed ? undefined : "is empty";
  if (trimmed.startsWith("{")) {
    try {
      if (!Array.isArray(JSON.parse(trimmed))) reason = "holds a JSON object, not an array of rows";
    } catch {
      // not JSON: the server parses it as CSV and says what is wrong with it
    }
  }
  if (!reason) return text;
  warn(
    `The iteration data file '${file}' ${reason}: the run goes on without iteration data, as Newman's does.`,
  );
  return undefined;
}

export async function buildRunBody(
  args: RunArgs,
  warn: (message: string) => void = (m) => process.stderr.write(`${m}\n`),
): Promise<JsonObject> {
  const postman = (resource: PostmanResource): PostmanSource => ({ resource, apiKey: args.postmanApiKey });
  const v3 = (await isDirectory(args.collection))
    ? await readV3Tree(args.collection, await environmentName(args.environment))
    : undefined;
  const collection =
    v3?.collection ??
    parseJsonObject(
      await readSource(args.collection, "collection", postman("collection")),
      args.collection,
      "collection",
      (c) => {
        const converted = collectionInput(c);
        if (converted !== c && isV1Collection(c)) warn(V1_WARNING);
        return converted;
      },
    );
  await inlineLocalFiles(collection, resolvePath(args.workingDir ?? process.cwd()), !args.noInsecureFileRead);
  const environment = v3?.environment
    ? v3.environment
    : args.environment
      ? parseJsonObject(
          await readSource(args.environment, "environment", postman("environment")),
          args.environment,
          "environment",
          scopeInput,
        )
      : undefined;
  const globals = args.globals
    ? parseJsonObject(await readSource(args.globals, "globals"), args.globals, "globals", scopeInput)
    : undefined;
  const iterationData = args.iterationData
    ? usableIterationData(await readSource(args.iterationData, "iteration data"), args.iterationData, warn)
    : undefined;
  const options: JsonObject = {};
  if (args.cookieJar)
    options.cookies = jarCookies(await readSource(args.cookieJar, "cookie jar"), args.cookieJar);
  const set = (key: string, value: unknown) => {
    if (value !== undefined && value !== false) options[key] = value;
  };
  set("iterationCount", args.iterationCount);
  if (args.folder.length) options.folder = args.folder;
  set("delayRequest", args.delayRequest);
  set("timeout", args.timeout || undefined);
  set("timeoutRequest", args.timeoutRequest || undefined);
  set("timeoutScript", args.timeoutScript || undefined);
  set("bail", args.bail);
  set("ignoreRedirects", args.ignoreRedirects);
  set("insecure", args.insecure);
  set("region", args.region);
  set("parallel", args.parallel);
  set("retry", args.retry);
  const body: JsonObject = { collection, options };
  const env = applyOverrides(environment, args.envVar);
  const glob = applyOverrides(globals, args.globalVar);
  if (env) body.environment = env;
  if (glob) body.globals = glob;
  if (iterationData !== undefined) body.iterationData = iterationData;
  return body;
}
