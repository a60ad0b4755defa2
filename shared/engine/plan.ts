/**
 * A run's plan: everything fixed at creation (normalised collection, starting scopes, data rows, options).
 * Built once in the Worker so that every semantic error is reported before anything is stored.
 */
import type { CreateRunBody, RunOptions } from "../schemas/api";
import type { Collection, Environment } from "../schemas/collection";
import type { CollectionV3Input } from "../schemas/collection-v3";
import { DataFileError, parseIterationData } from "./data-file";
import {
  FolderNotFoundError,
  type NormalizedCollection,
  normalizeCollection,
  selectFolders,
} from "./normalize";
import type { JsonValue, VarEntry } from "./types";
import { convertV3, isV3Input, V3Error } from "./v3";
import { fromPostmanVariables } from "./variables";

export interface RunPlan {
  runId: string;
  collection: NormalizedCollection;
  environment: { name?: string; values: VarEntry[] };
  globals: VarEntry[];
  data: Array<Record<string, JsonValue>>;
  iterations: number;
  options: RunOptions;
  /** Things the run leaves out and says so in `run.started` (e.g. v3 files of other protocols). */
  warnings?: string[];
}

/** A semantic problem with the run request, pointing at the offending field. */
export class PlanError extends Error {
  constructor(
    readonly pointer: string,
    message: string,
  ) {
    super(message);
    this.name = "PlanError";
  }
}

export interface PlanInput {
  collection: Collection | CollectionV3Input;
  environment?: Environment | undefined;
  globals?: Environment | undefined;
  iterationData?: unknown[] | string | undefined;
  options: RunOptions;
}

/** A v3 tree (`format: "v3"`) becomes v2.1 here, before normalising; its file errors point at the file. */
function fromV3(input: PlanInput): PlanInput & { collection: Collection; warnings?: string[] } {
  const c = input.collection;
  if (!isV3Input(c)) return input as PlanInput & { collection: Collection };
  try {
    const v3 = convertV3({ files: c.files, collection: c.collection });
    const env = input.environment ?? (c.environment ? v3.environments[c.environment] : undefined);
    if (c.environment && !input.environment && !env)
      throw new PlanError("/collection/environment", `no environment named '${c.environment}' in the files`);
    return {
      ...input,
      collection: v3.collection as Collection,
      environment: env as Environment | undefined,
      warnings: v3.skipped.map((s) => `skipped ${s.path}: ${s.reason}`),
    };
  } catch (err) {
    if (err instanceof V3Error) {
      const path = err.path.replace(/~/g, "~0").replace(/\//g, "~1");
      throw new PlanError(`/collection/files/${path}`, err.message);
    }
    throw err;
  }
}

export function buildPlan(body: PlanInput | CreateRunBody, runId: string): RunPlan {
  if (typeof body.collection === "string")
    throw new PlanError("/collection", "collection ids must be resolved first");
  const input = fromV3(body as PlanInput);
  let collection = normalizeCollection(input.collection);
  const folders = input.options.folder ?? [];
  if (folders.length > 0) {
    try {
      collection = selectFolders(collection, folders);
    } catch (err) {
      if (err instanceof FolderNotFoundError) {
        const index = Math.max(
          0,
          folders.findIndex((f) => err.message.includes(f)),
        );
        throw new PlanError(`/options/folder/${index}`, err.message);
      }
      throw err;
    }
  }
  let data: Array<Record<string, JsonValue>> = [];
  if (input.iterationData !== undefined) {
    try {
      data = parseIterationData(input.iterationData);
    } catch (err) {
      if (err instanceof DataFileError) throw new PlanError("/iterationData", err.message);
      throw err;
    }
  }
  const iterations = input.options.iterationCount ?? Math.max(1, data.length);
  const env = typeof input.environment === "object" ? input.environment : undefined;
  return {
    runId,
    collection,
    environment: {
      ...(env?.name ? { name: env.name } : {}),
      values: fromPostmanVariables(env?.values ?? []),
    },
    globals: fromPostmanVariables(typeof input.globals === "object" ? input.globals.values : []),
    data,
    iterations,
    options: input.options,
    ...(input.warnings?.length ? { warnings: input.warnings } : {}),
  };
}
