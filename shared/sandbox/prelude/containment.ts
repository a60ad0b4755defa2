// What the prelude does about a script's changes to built-ins. Newman keeps one sandbox context per run
// (postman-sandbox: "a common scope for all executions"), so a script's changes to built-ins and their
// prototypes, the globals it assigns and changes to required modules stay for the later scripts of the
// same run, and edgerun keeps them too (every run has its own context: nothing crosses runs).
//
// One thing differs in edgerun: Newman's libraries are loaded before any script runs, edgerun's on
// first use. A library that enumerates objects while it loads (chai's for-in over its plugins) would see
// what an earlier script added to Object.prototype and fail. While a library loads, such additions are
// hidden from enumeration; they are put back right after.
//
// The clean room also lends a library the globals it reads while it loads but scripts must not see
// (shims.ts LIBRARY_ONLY: crypto, EventTarget, globalThis…): defined on the global object for the time
// of the load, then put back as the script left them.
//
// The functions used here are captured when the prelude starts, so a script that patched Reflect or
// Array.prototype cannot break the clean-up.

const ownKeys = Reflect.ownKeys;
const getDescriptor = Reflect.getOwnPropertyDescriptor;
const defineProperty = Reflect.defineProperty;
const SetCtor = Set;
const setHas = Set.prototype.has;
const apply = Reflect.apply;
const deleteProperty = Reflect.deleteProperty;
const global: object = globalThis;

/** The prototypes whose enumerable additions reach every object, array, function or string. */
const CORE: object[] = [
  Object.prototype,
  Array.prototype,
  Function.prototype,
  String.prototype,
  Number.prototype,
  Boolean.prototype,
  Date.prototype,
  RegExp.prototype,
];

/** Defines `lent` on the global object; returns what puts back the properties it replaced. */
function lend(lent: Readonly<Record<string, unknown>>): () => void {
  const names = ownKeys(lent);
  const saved: Array<PropertyDescriptor | undefined> = [];
  for (let i = 0; i < names.length; i++) {
    const name = names[i] as string;
    saved[i] = getDescriptor(global, name);
    defineProperty(global, name, { value: lent[name], writable: true, configurable: true });
  }
  return () => {
    for (let i = 0; i < names.length; i++) {
      const name = names[i] as string;
      const before = saved[i];
      if (before) defineProperty(global, name, before);
      else deleteProperty(global, name);
    }
  };
}

/**
 * Records the core prototypes' keys now (after the prelude's shims); returns the loader's clean room,
 * which lends a loading library `lent` (shims.ts LIBRARY_ONLY).
 */
export function libraryCleanRoom(lent: Readonly<Record<string, unknown>> = {}) {
  const known = CORE.map((proto) => new SetCtor<string | symbol>(ownKeys(proto)));
  return {
    /**
     * Runs `load` with the properties scripts added to the core prototypes hidden from enumeration and
     * the lent globals defined.
     */
    around<T>(load: () => T): T {
      const hidden: Array<[object, string | symbol]> = [];
      for (let i = 0; i < CORE.length; i++) {
        const proto = CORE[i] as object;
        const keys = ownKeys(proto);
        for (let j = 0; j < keys.length; j++) {
          const key = keys[j] as string | symbol;
          if (apply(setHas, known[i], [key])) continue;
          const d = getDescriptor(proto, key);
          if (d?.enumerable && d.configurable && defineProperty(proto, key, { enumerable: false }))
            hidden[hidden.length] = [proto, key];
        }
      }
      const restore = lend(lent);
      try {
        return load();
      } finally {
        restore();
        for (let i = 0; i < hidden.length; i++) {
          const [proto, key] = hidden[i] as [object, string | symbol];
          defineProperty(proto, key, { enumerable: true });
        }
      }
    },
  };
}

/** Runs a library's loader in the clean room (see above). */
export type CleanRoom = ReturnType<typeof libraryCleanRoom>;
