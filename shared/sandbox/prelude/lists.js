// PropertyList-like collections (headers, query params, form fields) and variable scopes, as
// postman-collection exposes them to scripts. Runs inside QuickJS.

// Own properties mirror postman-collection's PropertyList (names and count), so chai renders a list in
// a failure message the way Newman does: `a{ …(7) }` (the SDK's class name is minified to `a`).
export class PropertyList {
  constructor(items, caseInsensitive) {
    this.members = (items || []).map((i) => ({ ...i }));
    this.reference = {};
    this.Type = Object;
    this._postman_listIndexKey = "key";
    this._postman_listIndexCaseInsensitive = !!caseInsensitive;
    this._postman_listAllowsMultipleValues = false;
    Object.defineProperty(this, "__parent", { value: undefined, writable: true });
  }
  get _items() {
    return this.members;
  }
  set _items(v) {
    this.members = v;
  }
  get _ci() {
    return this._postman_listIndexCaseInsensitive;
  }
  _k(k) {
    return this._ci ? String(k).toLowerCase() : String(k);
  }
  _find(key) {
    const k = this._k(key);
    for (let i = this._items.length - 1; i >= 0; i--) {
      const it = this._items[i];
      if (this._k(it.key) === k && !it.disabled) return it;
    }
    return undefined;
  }
  get(key) {
    const it = this._find(key);
    return it ? it.value : undefined;
  }
  one(key) {
    return this._find(key);
  }
  has(key, value) {
    const it = this._find(key);
    return !!it && (value === undefined || it.value === value);
  }
  add(item) {
    if (item === undefined || item === null) return;
    if (typeof item === "string") {
      const i = item.indexOf(":");
      item =
        i < 0 ? { key: item, value: "" } : { key: item.slice(0, i).trim(), value: item.slice(i + 1).trim() };
    }
    this._items.push({
      key: String(item.key),
      value: item.value === undefined || item.value === null ? "" : String(item.value),
      ...(item.disabled ? { disabled: true } : {}),
    });
  }
  append(item) {
    this.add(item);
  }
  upsert(item) {
    if (!item) return;
    const it = this._find(item.key);
    if (it) it.value = item.value === undefined || item.value === null ? "" : String(item.value);
    else this.add(item);
  }
  remove(predicate) {
    if (typeof predicate === "function") this._items = this._items.filter((i) => !predicate(i));
    else {
      const k = this._k(typeof predicate === "object" && predicate ? predicate.key : predicate);
      this._items = this._items.filter((i) => this._k(i.key) !== k);
    }
  }
  clear() {
    this._items = [];
  }
  populate(items) {
    for (const i of items || []) this.add(i);
  }
  repopulate(items) {
    this.clear();
    this.populate(items);
  }
  all() {
    return this._items.filter((i) => !i.disabled);
  }
  count() {
    return this.all().length;
  }
  idx(n) {
    return this.all()[n];
  }
  each(fn) {
    this.all().forEach((i) => fn(i));
  }
  map(fn) {
    return this.all().map(fn);
  }
  filter(fn) {
    return this.all().filter(fn);
  }
  find(fn) {
    return this.all().find(fn);
  }
  reduce(fn, acc) {
    return this.all().reduce(fn, acc);
  }
  indexOf(item) {
    return this.all().indexOf(item);
  }
  toObject(excludeDisabled, caseSensitive, multiValue) {
    const out = {};
    for (const i of this._items) {
      if (excludeDisabled && i.disabled) continue;
      const k = caseSensitive || !this._ci ? i.key : i.key.toLowerCase();
      if (multiValue && out[k] !== undefined) out[k] = [].concat(out[k], i.value);
      else out[k] = i.value;
    }
    return out;
  }
  toJSON() {
    return this._items.map((i) => ({ ...i }));
  }
  toString() {
    return this.all()
      .map((i) => `${i.key}: ${i.value}`)
      .join("\n");
  }
  [Symbol.iterator]() {
    return this.all()[Symbol.iterator]();
  }
}

/** Caps on variable values (issue 11), documented in docs/security.md: the run's checkpoint holds them. */
export const VARIABLE_LIMITS = { valueChars: 1024 * 1024, scopeChars: 4 * 1024 * 1024 };

function limitError(message) {
  const err = new Error(message);
  err.name = "ScriptLimitError";
  return err;
}

/** Characters of a value's serialized (JSON) form; strings count their length. */
function valueSize(value) {
  if (typeof value === "string") return value.length + 2;
  if (value === undefined) return 0;
  const json = JSON.stringify(value);
  return json === undefined ? 0 : json.length;
}

/**
 * pm.environment / pm.globals / pm.collectionVariables over a mutable VarEntry[]. `extra.label` names the
 * scope in limit errors; a value over VARIABLE_LIMITS throws a ScriptLimitError and is not set.
 */
export function variableScope(list, resolveIn, extra) {
  const { label = "pm.variables", undefinedAs, ...more } = extra || {};
  const find = (k) => {
    for (let i = list.length - 1; i >= 0; i--)
      if (list[i].key === k && list[i].enabled !== false) return list[i];
    return undefined;
  };
  let total; // serialized size of the scope, computed on the first set()
  const sizeOf = (e) => e.key.length + valueSize(e.value);
  const admit = (key, value, existing) => {
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
  const scope = {
    has: (k) => find(k) !== undefined,
    get: (k) => {
      const v = find(k);
      return v ? v.value : undefined;
    },
    set: (k, value, type) => {
      if (k === undefined || k === null) return;
      const key = String(k);
      const v = list.find((e) => e.key === key);
      const val = value === undefined ? undefinedAs : value;
      admit(key, val, v);
      if (v) {
        v.value = val;
        v.enabled = true;
        if (type) v.type = type;
      } else list.push({ key, value: val, ...(type ? { type } : {}), enabled: true });
    },
    unset: (k) => {
      total = undefined;
      for (let i = list.length - 1; i >= 0; i--) if (list[i].key === k) list.splice(i, 1);
    },
    clear: () => {
      total = undefined;
      list.splice(0, list.length);
    },
    toObject: () => {
      const out = {};
      for (const v of list) if (v.enabled !== false) out[v.key] = v.value;
      return out;
    },
    toJSON: () => list.map((v) => ({ ...v })),
    replaceIn: (text) => resolveIn(text),
    values: {
      all: () => list.filter((v) => v.enabled !== false).map((v) => ({ ...v })),
      count: () => list.length,
    },
    ...more,
  };
  return scope;
}

Object.defineProperty(PropertyList, "name", { value: "a" });

const CHAI_INSPECT = Symbol.for("chai/inspect");

/**
 * Makes chai render instances of `cls` the way it renders the SDK's objects in Newman when their first
 * property does not fit the message's truncation budget: `Name{ …(count of own properties) }`.
 * `when(obj)` says whether that truncation applies; otherwise chai's default rendering is used.
 */
export function sdkInspect(cls, when) {
  Object.defineProperty(cls.prototype, CHAI_INSPECT, {
    value(options) {
      if (!options || !Number.isFinite(options.truncate) || !when(this)) return "";
      const n = Object.getOwnPropertyNames(this).length + Object.getOwnPropertySymbols(this).length;
      return `${cls.name}{ …(${n}) }`;
    },
  });
}
sdkInspect(PropertyList, (list) => list.members.length > 0);
