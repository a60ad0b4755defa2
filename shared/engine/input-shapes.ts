/**
 * The other shapes Newman accepts for its inputs, brought to the one shape the schemas describe before
 * they validate: a Postman API export `{ "collection": { … } }`, a v1 collection, `{ "environment": … }`
 * or `{ "globals": … }` wrappers, scopes given as a bare array of variables, a single `event` object, and
 * header lists holding `"Key: value"` strings, and a v2 collection without `info` (named ""). The CLI, `POST /v1/runs` and stored collections all pass
 * through `CollectionSchema`/`EnvironmentSchema`, which call these, so they accept the same inputs.
 */
import { convertV1Collection, isV1Collection, parseHeaderBlock } from "./convert-v1";

type Json = Record<string, unknown>;

const isObject = (v: unknown): v is Json => typeof v === "object" && v !== null && !Array.isArray(v);

/** A Postman API export (`GET /collections/{id}` answers `{ collection: … }`) or a v1 collection → v2. */
export function collectionInput(value: unknown): unknown {
  let c = value;
  if (isObject(c) && isObject(c.collection) && c.info === undefined && c.item === undefined) c = c.collection;
  if (isV1Collection(c)) return convertV1Collection(c);
  // Newman runs a v2 collection without `info` (two of its own integration collections are written so).
  if (isObject(c) && Array.isArray(c.item) && c.info === undefined) return { ...c, info: { name: "" } };
  return c;
}

/**
 * Environments and globals as Newman's `extractModel` takes them: unwrapped from `{ environment: … }` /
 * `{ globals: … }` (the Postman API's answers), or a bare array of variables.
 */
export function scopeInput(value: unknown): unknown {
  if (Array.isArray(value)) return { values: value };
  if (!isObject(value) || Array.isArray(value.values)) return value;
  for (const key of ["environment", "globals"]) {
    const inner = value[key];
    if (Array.isArray(inner)) return { values: inner };
    if (isObject(inner)) return scopeInput(inner);
  }
  return value;
}

/** `event: { listen, script }` → `[ … ]`, as the SDK's PropertyList accepts one member for a list. */
export function listInput(value: unknown): unknown {
  return isObject(value) ? [value] : value;
}

/**
 * A raw body's text as postman-runtime sends it: postman-collection makes a missing or falsy `raw`
 * empty, and the runtime's body builder sends any other non-string (an object or array a generator
 * wrote, a number) as its JSON text.
 */
export function rawBodyInput(value: unknown): unknown {
  if (typeof value === "string" || value === undefined) return value;
  if (!value) return "";
  return JSON.stringify(value) ?? "";
}

/** Header lists may hold `"Key: value"` strings (the SDK's Header parses them); a string is a block. */
export function headerInput(value: unknown): unknown {
  if (!Array.isArray(value)) return value;
  return value.flatMap((h) => (typeof h === "string" ? parseHeaderBlock(h) : [h]));
}
