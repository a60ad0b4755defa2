// Containment between scripts of one run (issue 11). Every script shares one QuickJS context (a fresh
// context costs the prelude and every library again), so the intrinsics are snapshotted once, after the
// prelude has set them up, and restored after each script: properties a script added are deleted,
// replaced or redefined ones put back, prototypes reset, globals it created removed. Each script thus
// starts from the same intrinsics as a fresh context. A change that cannot be undone (an object frozen
// or a property made non-configurable by the script) makes restore() answer false: the host then drops
// the context and builds a fresh one for the next script.
//
// The walk uses only functions captured here, so a script that patched Object.keys or
// Array.prototype.push cannot break its own clean-up.

const ownKeys = Reflect.ownKeys;
const getDescriptor = Reflect.getOwnPropertyDescriptor;
const numberIsNaN = Number.isNaN;
const defineProperty = Reflect.defineProperty;
const deleteProperty = Reflect.deleteProperty;
const getPrototypeOf = Reflect.getPrototypeOf;
const setPrototypeOf = Reflect.setPrototypeOf;
const isExtensible = Reflect.isExtensible;
const MapCtor = Map;
const mapGet = Map.prototype.get;
const mapHas = Map.prototype.has;
const mapSet = Map.prototype.set;
const apply = Reflect.apply;

type Key = string | symbol;
type Watched = object;
/** The recorded state of one watched object. */
interface Rec {
  target: Watched;
  keys: Key[];
  descriptors: PropertyDescriptor[];
  proto: object | null;
  extensible: boolean;
  module?: boolean;
}
/** What a restore covers (see mayTouchIntrinsics). */
export interface RestoreScope {
  full: boolean;
  named?: Set<string>;
  modules?: boolean;
}
const mapGetOf = <K, V>(m: Map<K, V>, k: K) => apply(mapGet, m, [k]) as V | undefined;
const mapHasOf = <K, V>(m: Map<K, V>, k: K) => apply(mapHas, m, [k]) as boolean;
const mapSetOf = <K, V>(m: Map<K, V>, k: K, v: V) => {
  apply(mapSet, m, [k, v]);
};

/** Objects with no direct global name that scripts can still reach and patch. */
function hiddenIntrinsics(): unknown[] {
  const gen = function* () {};
  const asyncFn = async () => {};
  const asyncGen = async function* () {};
  return [
    getPrototypeOf([][Symbol.iterator]()),
    getPrototypeOf(getPrototypeOf([][Symbol.iterator]()) as object),
    getPrototypeOf(new Map()[Symbol.iterator]()),
    getPrototypeOf(new Set()[Symbol.iterator]()),
    getPrototypeOf(""[Symbol.iterator]()),
    getPrototypeOf(/a/[Symbol.matchAll]("")),
    getPrototypeOf(gen),
    (getPrototypeOf(gen) as { prototype: unknown }).prototype,
    (getPrototypeOf(gen) as object).constructor,
    getPrototypeOf(asyncFn),
    (getPrototypeOf(asyncFn) as object).constructor,
    getPrototypeOf(asyncGen),
    (getPrototypeOf(asyncGen) as { prototype: object }).prototype,
    getPrototypeOf((getPrototypeOf(asyncGen) as { prototype: object }).prototype),
    (getPrototypeOf(asyncGen) as object).constructor,
    getPrototypeOf(Int8Array),
    getPrototypeOf(Int8Array.prototype as object),
  ];
}

function isObjectLike(v: unknown): v is Watched {
  return (typeof v === "object" && v !== null) || typeof v === "function";
}

function record(target: Watched): Rec {
  const keys = ownKeys(target);
  const descriptors: PropertyDescriptor[] = [];
  for (let i = 0; i < keys.length; i++)
    descriptors[i] = getDescriptor(target, keys[i] as Key) as PropertyDescriptor;
  return { target, keys, descriptors, proto: getPrototypeOf(target), extensible: isExtensible(target) };
}

// Called for every watched property after a script that may reach any intrinsic: a data descriptor
// (recorded `writable` is a boolean) compares value and flags only, an accessor its functions and flags
// (a data descriptor now has a boolean `writable`, so a swap either way is seen); SameValue is inlined.
function sameDescriptor(a: PropertyDescriptor | undefined, b: PropertyDescriptor): boolean {
  if (a === undefined || a.writable !== b.writable) return false;
  if (a.enumerable !== b.enumerable || a.configurable !== b.configurable) return false;
  if (b.writable === undefined) return a.get === b.get && a.set === b.set;
  const x = a.value;
  const y = b.value;
  return x === y ? x !== 0 || 1 / x === 1 / y : numberIsNaN(x) && numberIsNaN(y);
}

/** Puts one object back as recorded; answers false when the script made that impossible. */
function restoreOne(rec: Rec): boolean {
  const { target, keys, descriptors } = rec;
  let clean = true;
  const now = ownKeys(target);
  // Fast path: same keys in the same order (the usual case) needs no lookup table.
  let sameKeys = now.length === keys.length;
  for (let i = 0; sameKeys && i < keys.length; i++) sameKeys = now[i] === keys[i];
  if (!sameKeys) {
    const known = new MapCtor<Key, boolean>();
    for (let i = 0; i < keys.length; i++) mapSetOf(known, keys[i] as Key, true);
    for (let i = 0; i < now.length; i++)
      if (!mapHasOf(known, now[i] as Key) && !deleteProperty(target, now[i] as Key)) clean = false;
  }
  for (let i = 0; i < keys.length; i++) {
    const d = descriptors[i] as PropertyDescriptor;
    const key = keys[i] as Key;
    if (!sameDescriptor(getDescriptor(target, key), d) && !defineProperty(target, key, d)) clean = false;
  }
  if (getPrototypeOf(target) !== rec.proto && !setPrototypeOf(target, rec.proto)) clean = false;
  if (rec.extensible && !isExtensible(target)) clean = false;
  return clean;
}

/**
 * Records the current state of every intrinsic reachable from the global object (own data properties
 * and prototype chains, transitively) plus the hidden ones; returns the handle that restores them.
 */
export function snapshotIntrinsics(global: object) {
  const records: Rec[] = [];
  const seen = new MapCtor<Watched, Rec>();
  const queue: unknown[] = [global, ...hiddenIntrinsics()];
  for (let q = 0; q < queue.length; q++) {
    const obj = queue[q];
    if (!isObjectLike(obj) || mapHasOf(seen, obj)) continue;
    // Plain methods (no own `prototype`) are not watched: their only state is `name` and `length`, and
    // watching the ~500 of them would triple the per-script cost.
    if (typeof obj === "function" && q > 0 && !getDescriptor(obj, "prototype")) continue;
    const rec = record(obj);
    mapSetOf(seen, obj, rec);
    records.push(rec);
    if (rec.proto) queue.push(rec.proto);
    for (let i = 0; i < rec.descriptors.length; i++) {
      const d = rec.descriptors[i] as PropertyDescriptor;
      if (isObjectLike(d.value)) queue.push(d.value);
      if (d.get) queue.push(d.get);
      if (d.set) queue.push(d.set);
    }
  }
  const globalRec = records[0] as Rec;
  const hot: object[] = [global, Object.prototype, Array.prototype, String.prototype, Function.prototype];
  // The records a narrow restore looks at: the hot ones, then library modules as they are watched.
  const checked: Rec[] = [];
  for (const rec of records) if (hot.includes(rec.target)) checked.push(rec);
  return {
    /**
     * Accepts the current state of every watched object as the new baseline (after trusted prelude code
     * such as Sugar extended the built-ins); objects created meanwhile are not added.
     */
    refresh() {
      for (const old of records) {
        const rec = record(old.target);
        old.keys = rec.keys;
        old.descriptors = rec.descriptors;
        old.proto = rec.proto;
        old.extensible = rec.extensible;
      }
    },
    /** How many objects are watched (for tests and the bench). */
    size: () => records.length,
    /**
     * Restores recorded objects; false when something could not be put back. `scope.full`: every
     * object, every property; `scope.named`: those globals and their prototypes, every property (see
     * mayTouchIntrinsics). Otherwise only objects whose key count changed (added or deleted properties), checked on the usual
     * pollution targets (the global object and the core prototypes) and, with `scope.modules`, on the
     * watched library modules.
     */
    restore(scope: RestoreScope): boolean {
      let clean = true;
      if (scope.full) {
        for (const rec of records) clean = restoreOne(rec) && clean;
        return clean;
      }
      // Only the watched objects that can have changed are visited (no walk over every record).
      const done = new MapCtor<Rec, boolean>();
      const visit = (target: unknown) => {
        const rec = isObjectLike(target) ? mapGetOf(seen, target) : undefined;
        if (!rec || mapHasOf(done, rec)) return;
        mapSetOf(done, rec, true);
        clean = restoreOne(rec) && clean;
      };
      for (const name of scope.named ?? []) {
        const value: unknown = globalRec.descriptors[globalRec.keys.indexOf(name)]?.value;
        if (!isObjectLike(value)) continue;
        visit(value);
        visit(getDescriptor(value, "prototype")?.value);
      }
      for (const rec of checked) {
        if (mapHasOf(done, rec) || (rec.module && !scope.modules)) continue;
        if (ownKeys(rec.target).length !== rec.keys.length) clean = restoreOne(rec) && clean;
      }
      return clean;
    },
    /**
     * Watches an object trusted prelude code set up after the snapshot (a library's module exports), or
     * records its current state again; accepts global names a library defined while it loaded.
     */
    watch(obj: unknown, globalKeysBefore?: Key[]): void {
      if (globalKeysBefore && ownKeys(global).length !== globalKeysBefore.length) {
        const rec = record(global);
        globalRec.keys = rec.keys;
        globalRec.descriptors = rec.descriptors;
      }
      if (!isObjectLike(obj)) return;
      const rec = record(obj);
      const old = mapGetOf(seen, obj);
      if (old) {
        old.keys = rec.keys;
        old.descriptors = rec.descriptors;
        old.proto = rec.proto;
        return;
      }
      rec.module = true;
      mapSetOf(seen, obj, rec);
      records.push(rec);
      checked.push(rec);
    },
    /** The global object's string keys when the snapshot was taken (for mayTouchIntrinsics). */
    globalNames: (): Set<string> => {
      const names = new Set<string>();
      for (const key of globalRec.keys) if (typeof key === "string") names.add(key);
      return names;
    },
    /** The global object's keys, to pass to watch() after loading a library. */
    globalKeys: (): Key[] => ownKeys(global),
  };
}

const IDENT = /[A-Za-z_$][\w$]*/g;
// Ways to reach an intrinsic without naming it: the global `this`, prototype links, the Function
// constructor (which builds code that runs sloppy `this`), eval.
const REACHES = new Set([
  "this",
  "constructor",
  "prototype",
  "__proto__",
  "getPrototypeOf",
  "globalThis",
  "global",
  "Function",
  "eval",
  "Reflect",
  "arguments",
]);

/**
 * What intrinsics a script's text could get a reference to and change. `full`: it uses one of the
 * REACHES words, so anything is reachable. `named`: the globals of the baseline (other than `console`,
 * fresh per script) it names in a way other than calling them or one of their methods (`Date.now()`,
 * `JSON.parse(…)`, `new Date()`); those and their prototypes are restored property by property.
 */
/** Whether a script's text names a library module binding (its exports are then checked too). */
export function mayTouchModules(source: string): boolean {
  return /(^|[^\w$])(require|_|CryptoJS|tv4|cheerio|Buffer|xml2Json|chai)(?![\w$])/.test(source);
}

export function mayTouchIntrinsics(source: string, globalNames: Set<string>): RestoreScope {
  const named = new Set<string>();
  IDENT.lastIndex = 0;
  for (let m = IDENT.exec(source); m; m = IDENT.exec(source)) {
    const word = m[0];
    if (REACHES.has(word)) return { full: true, named };
    if (!globalNames.has(word) || word === "console") continue;
    const before = source.slice(Math.max(0, m.index - 11), m.index);
    if (/[\w$.]$/.test(before) || /\b(new|instanceof|typeof)\s+$/.test(before)) continue;
    const after = source.slice(IDENT.lastIndex, IDENT.lastIndex + 64);
    if (/^\s*(\.\s*[A-Za-z_$][\w$]*\s*)?\(/.test(after)) continue;
    named.add(word);
  }
  return { full: false, named };
}
