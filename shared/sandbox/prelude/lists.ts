// PropertyList-like collections (headers, query params, form fields) and variable scopes, as
// postman-collection exposes them to scripts. Runs inside QuickJS.
import type { JsonValue, VarEntry } from "../../engine/types";
import { getVar, setVar, toObject, unsetVar } from "../../engine/variables";
import { memberJson } from "./sdk-json";
import { sandboxCrypto } from "./shims";

/** One member of a list: `{ key, value }` plus whatever else the SDK or the script put on it. */
export interface ListItem {
  key: string;
  value: unknown;
  disabled?: boolean;
  [field: string]: unknown;
}

/** What a list is built from: the engine's KV entries, cookies, or items a script made. */
export type ItemInput = { key: string; value?: unknown; disabled?: boolean };

type ItemCallback<T> = (item: ListItem, index: number, items: ListItem[]) => T;

const isRecord = (v: unknown): v is Record<string, unknown> => typeof v === "object" && v !== null;

/** Lists whose members have a text form of their own (kept off the list: its own properties are counted). */
const unparsers = new WeakMap<object, (enabled: ListItem[]) => string>();

/** QueryParam.unparse: `key=value` joined by `&`, as written; a parameter without a value is its key. */
export function unparseQuery(params: ListItem[]): string {
  return params
    .map((p) => (p.value === null || p.value === undefined ? p.key : `${p.key}=${p.value}`))
    .join("&");
}

// Own properties mirror postman-collection's PropertyList (names and count), so chai renders a list in
// a failure message the way Newman does: `a{ …(7) }` (the SDK's class name is minified to `a`).
export class PropertyList {
  declare members: ListItem[];
  declare reference: Record<string, unknown>;
  declare Type: ObjectConstructor;
  declare _postman_listIndexKey: string;
  declare _postman_listIndexCaseInsensitive: boolean;
  declare _postman_listAllowsMultipleValues: boolean;
  declare __parent: unknown;

  /**
   * `header`: a HeaderList (keys case-insensitive, values kept as given: the SDK's Header). `unparse`:
   * the member type's text form (QueryParam.unparse for a query), which `toString()` answers.
   */
  constructor(
    items?: ReadonlyArray<ItemInput> | null,
    opts?: { header?: boolean; unparse?: (enabled: ListItem[]) => string },
  ) {
    if (opts?.unparse) unparsers.set(this, opts.unparse);
    this.members = (items || []).map((i) => ({ ...i }) as ListItem);
    this.reference = {};
    this.Type = Object;
    this._postman_listIndexKey = "key";
    this._postman_listIndexCaseInsensitive = !!opts?.header;
    this._postman_listAllowsMultipleValues = !!opts?.header;
    Object.defineProperty(this, "__parent", { value: undefined, writable: true });
  }
  get _items(): ListItem[] {
    return this.members;
  }
  set _items(v: ListItem[]) {
    this.members = v;
  }
  get _ci(): boolean {
    return this._postman_listIndexCaseInsensitive;
  }
  _k(k: unknown): string {
    return this._ci ? String(k).toLowerCase() : String(k);
  }
  /** The last member with this key, a disabled one too (the SDK's `reference` index holds every member). */
  _find(key: unknown): ListItem | undefined {
    const k = this._k(key);
    for (let i = this._items.length - 1; i >= 0; i--) {
      const it = this._items[i];
      if (it && this._k(it.key) === k) return it;
    }
    return undefined;
  }
  /** The members that take part in the request (what the SDK's `unparse` and the engine read). */
  _enabled(): ListItem[] {
    return this._items.filter((i) => !i.disabled);
  }
  get(key: unknown): unknown {
    const it = this._find(key);
    return it ? it.value : undefined;
  }
  one(key: unknown): ListItem | undefined {
    return this._find(key);
  }
  has(key: unknown, value?: unknown): boolean {
    const it = this._find(key);
    return !!it && (value === undefined || it.value === value);
  }
  add(item: unknown): void {
    if (item === undefined || item === null) return;
    let entry: Record<string, unknown>;
    if (typeof item === "string") {
      const i = item.indexOf(":");
      entry =
        i < 0 ? { key: item, value: "" } : { key: item.slice(0, i).trim(), value: item.slice(i + 1).trim() };
    } else entry = isRecord(item) ? item : {};
    this._items.push({
      key: String(entry.key),
      value: this._value(entry.value),
      ...(entry.disabled ? { disabled: true } : {}),
    });
  }
  /**
   * A member's value as the list's Type keeps it: a Header its value as given (a number stays a number,
   * null stays null; it is sent as its string form), missing as ""; other lists the text, null as "".
   */
  _value(value: unknown): unknown {
    if (this._ci) return value === undefined ? "" : value;
    return value === undefined || value === null ? "" : String(value);
  }
  append(item: unknown): void {
    this.add(item);
  }
  upsert(item: unknown): void {
    if (!item) return;
    const entry = isRecord(item) ? item : {};
    const it = this._find(entry.key);
    // Header#update takes the key too (its case): other members keep theirs.
    if (it && this._ci) it.key = String(entry.key || "");
    if (it) it.value = this._value(entry.value);
    else this.add(item);
  }
  remove(predicate: unknown): void {
    if (typeof predicate === "function")
      this._items = this._items.filter((i) => !(predicate as (item: ListItem) => unknown)(i));
    else {
      const k = this._k(isRecord(predicate) ? predicate.key : predicate);
      this._items = this._items.filter((i) => this._k(i.key) !== k);
    }
  }
  clear(): void {
    this._items = [];
  }
  populate(items: Iterable<unknown> | null | undefined): void {
    for (const i of items || []) this.add(i);
  }
  repopulate(items: Iterable<unknown> | null | undefined): void {
    this.clear();
    this.populate(items);
  }
  // The SDK's list methods see every member, disabled ones included (postman-collection's PropertyList).
  /** The members the list methods walk. */
  _members(): ListItem[] {
    return this._items;
  }
  all(): ListItem[] {
    return this._items.slice();
  }
  count(): number {
    return this._items.length;
  }
  idx(n: number): ListItem | undefined {
    return this._members()[n];
  }
  each(fn: ItemCallback<void>): void {
    this._members().forEach(fn);
  }
  map<T>(fn: ItemCallback<T>): T[] {
    return this._members().map(fn);
  }
  filter(fn: ItemCallback<unknown>): ListItem[] {
    return this._members().filter(fn);
  }
  find(fn: ItemCallback<unknown>): ListItem | undefined {
    return this._members().find(fn);
  }
  reduce<T>(fn: (acc: T, item: ListItem, index: number, items: ListItem[]) => T, acc: T): T {
    return this._members().reduce(fn, acc);
  }
  /** A member's place; a key names its member, as `one(key)` finds it. */
  indexOf(item: ListItem | string): number {
    return this._members().indexOf((typeof item === "string" ? this.one(item) : item) as ListItem);
  }
  toObject(
    excludeDisabled?: boolean,
    caseSensitive?: boolean,
    multiValue?: boolean,
  ): Record<string, unknown> {
    const out: Record<string, unknown> = {};
    for (const i of this._items) {
      if (excludeDisabled && i.disabled) continue;
      const k = caseSensitive || !this._ci ? i.key : i.key.toLowerCase();
      // A member's valueOf(): a key-only query parameter (null) is "" (QueryParam#valueOf).
      const value = i.value === null && !this._ci ? "" : i.value;
      if ((multiValue || this._postman_listAllowsMultipleValues) && Object.hasOwn(out, k))
        out[k] = ([] as unknown[]).concat(out[k], value);
      else out[k] = value;
    }
    return out;
  }
  /** PropertyList#toJSON: each member as the SDK's Property writes it (sdk-json.ts `memberJson`). */
  toJSON(): ListItem[] {
    return this._items.map((i) => memberJson(i) as ListItem);
  }
  /** PropertyList#toString: the member type's unparse (Header.unparse: each `Key: value` and CRLF). */
  toString(): string {
    const unparse = unparsers.get(this);
    if (unparse) return unparse(this._enabled());
    if (this._ci) return this._enabled().reduce((text, i) => `${text}${i.key}: ${i.value}\r\n`, "");
    return this._enabled()
      .map((i) => `${i.key}: ${i.value}`)
      .join("\n");
  }
  [Symbol.iterator](): Iterator<ListItem> {
    return this._enabled()[Symbol.iterator]();
  }
}

/** Caps on variable values (issue 11), documented in docs/security.md: the run's checkpoint holds them. */
export const VARIABLE_LIMITS = { valueChars: 1024 * 1024, scopeChars: 4 * 1024 * 1024 };

function limitError(message: string): Error {
  const err = new Error(message);
  err.name = "ScriptLimitError";
  return err;
}

/** Characters of a value's serialized (JSON) form; strings count their length. */
function valueSize(value: unknown): number {
  if (typeof value === "string") return value.length + 2;
  if (value === undefined) return 0;
  const json: string | undefined = JSON.stringify(value);
  return json === undefined ? 0 : json.length;
}

/** What a scope's `replaceIn` resolves with (the prelude's `{{…}}` substitution). */
export type ResolveIn = (text: unknown) => unknown;

export interface ScopeOptions {
  /** Names the scope in limit errors (`pm.environment.set: …`). */
  label?: string;
  /** What `set(key, undefined)` stores: Newman reads such a value back as null in the shared scopes. */
  undefinedAs?: null;
  /** `pm.environment.name`. */
  name?: string;
  /** Called by every set, unset and clear (the prelude then hands the scopes back: contract.ts). */
  onWrite?: () => void;
}

/** A variable as postman-collection's Variable#toJSON writes it (key order included). */
export interface VariableJson {
  type: string;
  value: unknown;
  key: string;
  disabled?: true;
}

/** A scope as postman-collection's VariableScope#toJSON writes it (its mutation log aside). */
export interface ScopeJson {
  id: string;
  name?: string;
  values: VariableJson[];
}

/** A scope's id, drawn when a script first asks for it (postman-collection gives each scope one). */
export function scopeIdOnce(): () => string {
  let id: string | undefined;
  return () => {
    // The prelude's own crypto: scripts have no `crypto` global (shims.ts).
    id ??= sandboxCrypto.randomUUID();
    return id;
  };
}

/** `entries` as VariableScope#toJSON's values: every variable, a disabled one marked as such. */
export function scopeJson(id: string, entries: readonly VarEntry[], name?: string): ScopeJson {
  return {
    id,
    ...(name === undefined ? {} : { name }),
    values: entries.map((v) => ({
      type: v.type ?? "any",
      value: v.value,
      key: v.key,
      ...(v.enabled === false ? { disabled: true as const } : {}),
    })),
  };
}

/** pm.environment / pm.globals / pm.collectionVariables / pm.variables' local scope. */
export interface VariableScope {
  has(key: unknown): boolean;
  get(key: unknown): unknown;
  set(key: unknown, value: unknown, type?: unknown): void;
  unset(key: unknown): void;
  clear(): void;
  toObject(): Record<string, JsonValue>;
  toJSON(): ScopeJson;
  replaceIn(text: unknown): unknown;
  readonly values: ScopeValues;
  name?: string;
}

/**
 * pm.environment / pm.globals / pm.collectionVariables over a mutable VarEntry[] (the engine's own
 * lookup and update rules). `extra.label` names the scope in limit errors; a value over
 * VARIABLE_LIMITS throws a ScriptLimitError and is not set.
 */
export function variableScope(list: VarEntry[], resolveIn: ResolveIn, extra?: ScopeOptions): VariableScope {
  const { label = "pm.variables", undefinedAs, onWrite = () => {}, ...more } = extra || {};
  // Keys in a scope are strings: a key of another type names nothing (as with Newman's strict compare).
  const find = (k: unknown) => (typeof k === "string" ? getVar(list, k) : undefined);
  let total: number | undefined; // serialized size of the scope, computed on the first set()
  const idOf = scopeIdOnce();
  const sizeOf = (e: VarEntry) => e.key.length + valueSize(e.value);
  const admit = (key: string, value: unknown, existing: VarEntry | undefined) => {
    const size = valueSize(value);
    if (size > VARIABLE_LIMITS.valueChars)
      throw limitError(
        `${label}.set: the value of '${key}' is ${size} characters serialized; a variable's value may be at most ${VARIABLE_LIMITS.valueChars} (1 MiB)`,
      );
    if (total === undefined) total = list.reduce((n, e) => n + sizeOf(e), 0);
    const next = total - (existing ? sizeOf(existing) : 0) + key.length + size;
    if (next > VARIABLE_LIMITS.scopeChars)
      throw limitError(
        `${label}.set: setting '${key}' would make the scope ${next} characters serialized; a scope may hold at most ${VARIABLE_LIMITS.scopeChars} (4 MiB)`,
      );
    total = next;
  };
  return {
    has: (k) => find(k) !== undefined,
    get: (k) => find(k)?.value,
    set: (k, value, type) => {
      if (k === undefined || k === null) return;
      onWrite();
      const key = String(k);
      const val = value === undefined ? undefinedAs : value;
      admit(
        key,
        val,
        list.find((e) => e.key === key),
      );
      // A script may store any value; it goes back to the engine as JSON.
      setVar(list, key, val as JsonValue, type ? String(type) : undefined);
    },
    unset: (k) => {
      onWrite();
      total = undefined;
      if (typeof k === "string") unsetVar(list, k);
    },
    clear: () => {
      onWrite();
      total = undefined;
      list.splice(0, list.length);
    },
    toObject: () => toObject(list),
    toJSON: () => scopeJson(idOf(), list, typeof more.name === "string" ? more.name : undefined),
    replaceIn: (text) => resolveIn(text),
    get values() {
      return new ScopeValues(list);
    },
    ...more,
  };
}

Object.defineProperty(PropertyList, "name", { value: "a" });

/**
 * A scope's `values`, the SDK's VariableList: real collections filter, map and walk it. A view of the
 * scope as it is when read (`pm.environment.values` again after a set() sees the change); `all()` and
 * `count()` keep their earlier answers (the enabled entries as copies; every entry counted).
 */
export class ScopeValues extends PropertyList {
  readonly #list: VarEntry[];

  constructor(list: VarEntry[]) {
    super(
      list.map((v) => ({
        key: v.key,
        value: v.value,
        type: v.type ?? "any",
        ...(v.enabled === false ? { disabled: true } : {}),
      })),
    );
    this.#list = list;
  }
  override all(): ListItem[] {
    return this.#list
      .filter((v) => v.enabled !== false)
      .map((v) => ({ ...v, type: v.type ?? "any" }) as ListItem);
  }
  override count(): number {
    return this.#list.length;
  }
  /** The list methods walk the enabled entries, as copies (their earlier answers). */
  override _members(): ListItem[] {
    return this.all();
  }
}

const CHAI_INSPECT = Symbol.for("chai/inspect");

/**
 * Makes chai render instances of `cls` the way it renders the SDK's objects in Newman when their first
 * property does not fit the message's truncation budget: `Name{ …(count of own properties) }`.
 * `when(obj)` says whether that truncation applies; otherwise chai's default rendering is used.
 */
export function sdkInspect<T extends object>(
  cls: { prototype: T; name: string },
  when: (obj: T) => boolean,
): void {
  Object.defineProperty(cls.prototype, CHAI_INSPECT, {
    value(this: T, options?: { truncate?: unknown }) {
      if (!options || !Number.isFinite(options.truncate) || !when(this)) return "";
      // pm.response's and pm.request's own `to` getter (response-object.ts withTo) is not counted, as in
      // Newman, whose count leaves it out too.
      const names = Object.getOwnPropertyNames(this).filter(
        (k) => k !== "to" || !Object.getOwnPropertyDescriptor(this, k)?.get,
      );
      const n = names.length + Object.getOwnPropertySymbols(this).length;
      return `${cls.name}{ …(${n}) }`;
    },
  });
}
sdkInspect(PropertyList, (list) => list.members.length > 0);
