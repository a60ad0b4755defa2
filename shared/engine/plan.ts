/**
 * A run's plan: everything fixed at creation (normalised collection, starting scopes, data rows, options).
 * Built once in the Worker so that every semantic error is reported before anything is stored.
 */
import type { CreateRunBody, RunOptions } from "../schemas/api";
import type { Collection, Environment } from "../schemas/collection";
import { DataFileError, parseIterationData } from "./data-file";
import {
  FolderNotFoundError,
  type NormalizedCollection,
  normalizeCollection,
  selectFolders,
} from "./normalize";
import type { JsonValue, VarEntry } from "./types";
import { fromPostmanVariables } from "./variables";

export interface RunPlan {
  runId: string;
  collection: NormalizedCollection;
  environment: { name?: string; values: VarEntry[] };
  globals: VarEntry[];
  data: Array<Record<string, JsonValue>>;
  iterations: number;
  options: RunOptions;
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
  collection: Collection;
  environment?: Environment | undefined;
  globals?: Environment | undefined;
  iterationData?: unknown[] | string | undefined;
  options: RunOptions;
}

export function buildPlan(body: PlanInput | CreateRunBody, runId: string): RunPlan {
  if (typeof body.collection === "string")
    throw new PlanError("/collection", "collection ids must be resolved first");
  const input = body as PlanInput;
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
  };
}
