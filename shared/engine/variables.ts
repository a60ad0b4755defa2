/**
 * Postman's variable model: five scopes, `{{name}}` substitution with Postman's precedence
 * (local → data → environment → collection → globals), recursive resolution with a depth bound,
 * and dynamic `{{$…}}` variables.
 */
import type { Variable } from "../schemas/collection";
import { createDynamicResolver, type DynamicResolver } from "./dynamic-variables";
import type { JsonValue, Scopes, VarEntry } from "./types";

/** postman-collection's substitutor gives up after this many passes (cyclic references stay literal). */
export const MAX_RESOLVE_DEPTH = 19;
const VAR_RE = /\{\{([^{}]+?)\}\}/g;

/** Stringifies a variable value the way Postman substitutes it into text. */
export function stringifyValue(value: JsonValue | undefined): string {
  if (value === undefined || value === null) return value === null ? "null" : "";
  if (typeof value === "string") return value;
  // Postman substitutes with String(value): objects become "[object Object]", arrays "a,b".
  return String(value);
}

export function getVar(list: VarEntry[], key: string): VarEntry | undefined {
  for (let i = list.length - 1; i >= 0; i--) {
    const v = list[i]!;
    if (v.key === key && v.enabled !== false) return v;
  }
  return undefined;
}

export function setVar(list: VarEntry[], key: string, value: JsonValue, type?: string): void {
  const found = list.find((v) => v.key === key);
  if (found) {
    found.value = value;
    found.enabled = true;
    if (type) found.type = type;
  } else {
    list.push({ key, value, ...(type ? { type } : {}), enabled: true });
  }
}

export function unsetVar(list: VarEntry[], key: string): void {
  for (let i = list.length - 1; i >= 0; i--) if (list[i]!.key === key) list.splice(i, 1);
}

export function toObject(list: VarEntry[]): Record<string, JsonValue> {
  const out: Record<string, JsonValue> = {};
  for (const v of list) if (v.enabled !== false) out[v.key] = v.value;
  return out;
}

/** Converts collection/environment `variable[]` (v2.0 `id` or v2.1 `key`, `disabled` or `enabled:false`). */
export function fromPostmanVariables(vars: Variable[] | undefined): VarEntry[] {
  const out: VarEntry[] = [];
  for (const v of vars ?? []) {
    const key = v.key ?? v.id ?? v.name;
    if (typeof key !== "string" || key === "") continue;
    const raw = v.value;
    const value: JsonValue =
      raw === undefined
        ? ""
        : typeof raw === "string" || typeof raw === "number" || typeof raw === "boolean" || raw === null
          ? raw
          : (raw as JsonValue);
    out.push({
      key,
      value,
      ...(v.type ? { type: v.type } : {}),
      enabled: !(v.disabled === true || v.enabled === false),
    });
  }
  return out;
}

export function toPostmanVariables(
  list: VarEntry[],
): Array<{ key: string; value: JsonValue; type: string; enabled: boolean }> {
  return list.map((v) => ({
    key: v.key,
    value: v.value,
    type: v.type ?? "default",
    enabled: v.enabled !== false,
  }));
}

/** Values of secret-typed variables, for masking outputs. */
export function secretValues(scopes: Scopes): string[] {
  const out: string[] = [];
  for (const list of [scopes.globals, scopes.collection, scopes.environment, scopes.local]) {
    for (const v of list)
      if (v.type === "secret" && v.value !== "" && v.value !== null) out.push(stringifyValue(v.value));
  }
  return out;
}

/** Looks a name up across scopes in Postman's precedence order. */
export function lookup(scopes: Scopes, key: string): JsonValue | undefined {
  const local = getVar(scopes.local, key);
  if (local) return local.value;
  if (Object.hasOwn(scopes.data, key)) return scopes.data[key];
  for (const list of [scopes.environment, scopes.collection, scopes.globals]) {
    const v = getVar(list, key);
    if (v) return v.value;
  }
  return undefined;
}

export interface ResolveOptions {
  maxDepth?: number;
  dynamic?: DynamicResolver;
}

/** Substitutes `{{name}}` references; unknown names stay literal, as in Postman. */
export function resolveTemplate(template: string, scopes: Scopes, opts: ResolveOptions = {}): string {
  if (!template.includes("{{")) return template;
  const dynamic = opts.dynamic ?? defaultDynamic();
  let current = template;
  for (let depth = 0; depth < (opts.maxDepth ?? MAX_RESOLVE_DEPTH); depth++) {
    let changed = false;
    const next = current.replace(VAR_RE, (whole, name: string) => {
      const key = name.trim() === name ? name : name;
      const value = lookup(scopes, key);
      if (value !== undefined) {
        changed = true;
        return stringifyValue(value);
      }
      if (key.startsWith("$")) {
        const dyn = dynamic(key);
        if (dyn !== undefined) {
          changed = true;
          return dyn;
        }
      }
      return whole;
    });
    current = next;
    if (!changed || !current.includes("{{")) break;
  }
  return current;
}

let sharedDynamic: DynamicResolver | undefined;
function defaultDynamic(): DynamicResolver {
  sharedDynamic ??= createDynamicResolver(Math.random, Date.now);
  return sharedDynamic;
}

/** A `(template) => string` bound to scopes: what the HTTP layer and auth helpers receive. */
export function makeResolver(scopes: Scopes, dynamic?: DynamicResolver): (s: string) => string {
  return (s) => resolveTemplate(s, scopes, dynamic ? { dynamic } : {});
}
