// pm.variables, pm.iterationData and the four variable scopes of one script, with Postman's precedence
// (local → data → environment → collection → globals) and `{{…}}` substitution for replaceIn.
import { createDynamicResolver } from "../../engine/dynamic-variables";
import type { JsonValue, Scopes } from "../../engine/types";
import { getVar } from "../../engine/variables";
import { scopeIdOnce, scopeJson, type VariableScope, variableScope } from "./lists";

const UNSET = Symbol("unset");
type Lookup = (key: unknown) => unknown;

/**
 * The value `key` resolves to across the scopes, or UNSET when no scope has it: unlike the engine's
 * lookup, a local variable set to undefined is found (and renders ""), as in Newman.
 */
function lookupIn(scopes: Scopes, key: unknown): unknown {
  // Keys in the lists are strings (a key of another type names none of them); the data row is an object.
  const named = typeof key === "string";
  const local = named ? getVar(scopes.local, key) : undefined;
  if (local) return local.value;
  if (Object.hasOwn(scopes.data, key as PropertyKey)) return Reflect.get(scopes.data, key as PropertyKey);
  if (!named) return UNSET;
  for (const list of [scopes.environment, scopes.collection, scopes.globals]) {
    const v = getVar(list, key);
    if (v) return v.value;
  }
  return UNSET;
}

/** `{{$guid}}`, `{{$randomInt}}`, …: the same generators the engine resolves requests with. */
export function createReplaceIn(now: () => number) {
  // The resolver (a table of some hundred closures) is built on the first `{{$…}}` a run resolves, not
  // at every context's start; Math.random is taken now, before a script could replace it.
  const random = Math.random;
  let resolver: ReturnType<typeof createDynamicResolver> | undefined;
  const dynamicVariable = (name: string) => {
    resolver ??= createDynamicResolver(random, now);
    return resolver(name);
  };
  return (scopes: Scopes, text: unknown): unknown => {
    if (typeof text !== "string" || !text.includes("{{")) return text;
    let cur = text;
    for (let d = 0; d < 19; d++) {
      let changed = false;
      cur = cur.replace(/\{\{([^{}]+?)\}\}/g, (w, name: string) => {
        const v = lookupIn(scopes, name);
        if (v === UNSET) {
          const dyn = name.startsWith("$") ? dynamicVariable(name) : undefined;
          if (dyn === undefined) return w;
          changed = true;
          return dyn;
        }
        changed = true;
        // like Postman: null renders "null", an unset local "", an object "[object Object]"
        return v === undefined ? "" : String(v);
      });
      if (!changed) break;
    }
    return cur;
  };
}

/** The scopes of one script as pm exposes them. */
export interface ScopeApi {
  environment: VariableScope;
  globals: VariableScope;
  collectionVariables: VariableScope;
  variables: Record<string, unknown>;
  iterationData: Record<string, unknown>;
  resolveIn: (text: unknown) => unknown;
  /**
   * Whether the script called a set, unset or clear of a variable scope (even one that left the lists
   * as they were, or failed a limit): only then do the scopes go back to the engine. The data row
   * (`pm.iterationData.set`) is the script's own: the engine keeps its row either way.
   */
  written: () => boolean;
  /** Turns values left undefined in the environment, globals and collection lists into null (JSON). */
  settle: () => void;
}

/**
 * postman-collection's VariableScope.replaceIn: a string is substituted; in an array or object every
 * string, however deep, is (a new object at the top, nested arrays and objects changed in place).
 */
function replaceDeep(template: unknown, replace: (text: unknown) => unknown): unknown {
  if (template === null || typeof template !== "object") return replace(template);
  const walk = (v: unknown): unknown => {
    if (typeof v === "string") return replace(v);
    if (v === null || typeof v !== "object") return v;
    for (const k of Object.keys(v)) Reflect.set(v, k, walk(Reflect.get(v, k)));
    return v;
  };
  if (Array.isArray(template)) return walk(template);
  const top: Record<string, unknown> = {};
  for (const k in template) top[k] = walk(Reflect.get(template, k));
  return top;
}

/** Builds pm.environment, pm.globals, pm.collectionVariables, pm.variables and pm.iterationData. */
export function scopeApi(scopes: Scopes, replaceIn: (scopes: Scopes, text: unknown) => unknown): ScopeApi {
  const resolveIn = (t: unknown) => replaceDeep(t, (text) => replaceIn(scopes, text));
  // A scope's own replaceIn (pm.environment.replaceIn, …) substitutes that scope's variables only, as
  // postman-collection's VariableScope does: `{{name}}` of another scope stays as written.
  const resolveOwn = (own: Partial<Scopes>) => (t: unknown) =>
    replaceDeep(t, (text) =>
      replaceIn({ globals: [], collection: [], environment: [], data: {}, local: [], ...own }, text),
    );
  let written = false;
  const onWrite = () => {
    written = true;
  };
  const lookup: Lookup = (k) => {
    const v = lookupIn(scopes, k);
    return v === UNSET ? undefined : v;
  };
  // A variable set to undefined reads back as undefined for the rest of the script, as in Newman; the
  // engine gets it as null (`settle`), which is what Newman's later scripts read.
  const environment = variableScope(scopes.environment, resolveOwn({ environment: scopes.environment }), {
    name: scopes.environmentName,
    label: "pm.environment",
    onWrite,
  });
  const globals = variableScope(scopes.globals, resolveOwn({ globals: scopes.globals }), {
    label: "pm.globals",
    onWrite,
  });
  const collectionVariables = variableScope(
    scopes.collection,
    resolveOwn({ collection: scopes.collection }),
    {
      label: "pm.collectionVariables",
      onWrite,
    },
  );
  const local = variableScope(scopes.local, resolveIn, { label: "pm.variables", onWrite });
  const data = scopes.data;
  const dataId = scopeIdOnce();
  const variables = {
    // A variable set to undefined is there (as in Newman): only a name no scope has is not.
    has: (k: unknown) => lookupIn(scopes, k) !== UNSET,
    get: (k: unknown) => lookup(k),
    set: (k: unknown, v: unknown, t?: unknown) => local.set(k, v, t),
    unset: (k: unknown) => local.unset(k),
    clear: () => local.clear(),
    replaceIn: resolveIn,
    toJSON: () => local.toJSON(),
    toObject: () => ({
      ...globals.toObject(),
      ...collectionVariables.toObject(),
      ...environment.toObject(),
      ...data,
      ...local.toObject(),
    }),
  };
  const iterationData = {
    has: (k: unknown) => Object.hasOwn(data, k as PropertyKey),
    get: (k: unknown) => Reflect.get(data, k as PropertyKey),
    set: (k: unknown, v: unknown) => {
      Reflect.set(data, k as PropertyKey, v as JsonValue);
    },
    unset: (k: unknown) => {
      Reflect.deleteProperty(data, k as PropertyKey);
    },
    clear: () => {
      for (const k of Object.keys(data)) delete data[k];
    },
    toObject: () => ({ ...data }),
    toJSON: () =>
      scopeJson(
        dataId(),
        Object.entries(data).map(([key, value]) => ({ key, value })),
      ),
    replaceIn: resolveOwn({ data: scopes.data }),
  };
  return {
    environment,
    globals,
    collectionVariables,
    variables,
    iterationData,
    resolveIn,
    written: () => written,
    settle: () => {
      for (const list of [scopes.environment, scopes.globals, scopes.collection])
        for (const v of list) if (v.value === undefined) v.value = null;
    },
  };
}
