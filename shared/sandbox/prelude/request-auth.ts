// pm.request.auth as postman-collection's RequestAuth: `type` and one VariableList of parameters per auth
// type (`auth.basic.get('username')`), with parameters(), update(), use() and clear(). The engine gets
// the auth back as its AuthDefinition (`authDefinition`). Runs inside QuickJS.
import type { AuthDefinition } from "../../engine/types";
import { type ListItem, PropertyList } from "./lists";
import { variableJson } from "./sdk-json";

type Fields = Record<string, unknown>;
const isRecord = (v: unknown): v is Fields => typeof v === "object" && v !== null;
const validType = (type: unknown): type is string => typeof type === "string" && type !== "type";

/** A VariableList: members keep their values as given; JSON as Variable#toJSON (`{ type, value, key }`). */
export class VariableList extends PropertyList {
  override _value(value: unknown): unknown {
    return value;
  }
  /** A Variable keeps its declared type (`{ key, value, type: "string" }`). */
  override add(item: unknown): void {
    if (!isRecord(item) || item.type === undefined) {
      super.add(item);
      return;
    }
    this._items.push({
      key: String(item.key),
      value: item.value,
      type: item.type,
      ...(item.disabled ? { disabled: true } : {}),
    });
  }
  override toJSON(): ListItem[] {
    return this._items.map((i) => variableJson(i) as ListItem);
  }
  /** VariableList#syncFromObject without pruning: each key set, added when missing. */
  syncFromObject(values: Fields): void {
    for (const key of Object.keys(values)) this.upsert({ key, value: values[key] });
  }
  /** VariableList#assimilate: each `{ key, value }` set, added when missing. */
  assimilate(list: unknown): void {
    const members = list instanceof PropertyList ? list._enabled() : Array.isArray(list) ? list : [];
    for (const m of members) if (isRecord(m) && m.key !== undefined) this.upsert(m);
  }
}

function merge(list: VariableList, options: unknown): void {
  if (Array.isArray(options) || options instanceof PropertyList) list.assimilate(options);
  else if (isRecord(options)) list.syncFromObject(options);
}

/** RequestAuth: what scripts hold as pm.request.auth. */
export class RequestAuth {
  declare type: string | undefined;
  [params: string]: unknown;

  constructor(def: Fields) {
    if (validType(def.type)) this.use(def.type);
    for (const k of Object.keys(def)) if (k !== "type") this.update(def[k], k);
  }
  /** Merges parameters (a list or an object) into `type`'s list (the current type by default). */
  update(options: unknown, type?: string): void {
    if (!isRecord(options)) return;
    const t = type || this.type;
    if (!validType(t)) return;
    merge(listOf(this, t), options);
  }
  /** Selects `type` and merges its parameters. */
  use(type: unknown, options?: unknown): void {
    if (!validType(type)) return;
    this.type = type;
    merge(listOf(this, type), options);
  }
  /** Discontinued in postman-collection 4: throws as there. */
  current(): never {
    throw new Error("`Request#current` has been discontinued, use `Request#parameters` instead.");
  }
  /** The current type's parameters. */
  parameters(): unknown {
    return this.type === undefined ? undefined : this[this.type];
  }
  /** Empties `type`'s parameters; drops the list when `type` is not the current one. */
  clear(type: unknown): void {
    if (!validType(type) || !(this[type] instanceof VariableList)) return;
    (this[type] as VariableList).clear();
    if (type !== this.type) delete this[type];
  }
  /** RequestAuth#toJSON: `type`, then each type's parameters as Variables. */
  toJSON(): Fields {
    const out: Fields = { type: this.type };
    for (const k of Object.keys(this))
      if (k !== "type" && this[k] instanceof VariableList) out[k] = (this[k] as VariableList).toJSON();
    return out;
  }
}

/** `auth[type]` as a VariableList, made when the type has none yet. */
function listOf(auth: RequestAuth, type: string): VariableList {
  const current = auth[type];
  if (current instanceof VariableList) return current;
  const list = new VariableList([]);
  auth[type] = list;
  return list;
}
Object.defineProperty(RequestAuth, "name", { value: "PostmanRequestAuth" });

/** The engine's AuthDefinition of what a script left in pm.request.auth (each list as `{ key, value }`). */
export function authDefinition(auth: unknown): AuthDefinition | undefined {
  if (!isRecord(auth)) return undefined;
  const out: Fields = {};
  for (const k of Object.keys(auth)) {
    const v = auth[k];
    out[k] =
      v instanceof PropertyList
        ? v._enabled().map((p) => ({ key: p.key, value: p.value === undefined ? "" : p.value }))
        : v;
  }
  return out as unknown as AuthDefinition;
}
