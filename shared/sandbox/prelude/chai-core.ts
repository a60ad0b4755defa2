// chai 6's own `lengthOf`, `property` and `include`, step by step (issue 16): the same reads, flags,
// checks and `this.assert` calls in the same order, with what chai spends on a passing assertion
// left out. chai builds both failure messages before asserting (`inspect` of the expected value, in
// QuickJS a good part of such an assertion) and `lengthOf` first runs a whole
// `new Assertion(obj).to.have.property("length")`. Here a message is built only when the assertion
// can fail (or when a script replaced `assert`, which may read it), and lengthOf's inner assertion is
// made without chai's constructor (its chain and `property` are still the prototype's). A case these
// do not cover (`.deep.include` of an array, an object target, a bad argument) runs chai's own function.
// Each is put in place of chai's own only (found by name), so overwrites wrap them as they wrapped chai's.

/** An Assertion as chai keeps it: its flags in `__flags`. */
type Flagged = { __flags?: Record<string, unknown> };
type Method = (this: Flagged, ...args: unknown[]) => unknown;
type AssertFn = (ok: unknown, msg: string, negated: string, exp?: unknown, act?: unknown) => void;
type Asserting = Flagged & { assert: AssertFn };
/** chai's addChainableMethod record (`Assertion.prototype.__methods[name]`). */
interface Chainable {
  method: Method;
}
/** `new chai.Assertion(value, message, ssfi, lockSsfi)` without chai's constructor. */
export type Make = (value: unknown, message: unknown, ssfi?: unknown, lockSsfi?: unknown) => object;
type LengthChain = { to: { have: { property(name: string): unknown } } };

/** The chai utils these use (chai's own, so messages and type names are chai's). */
export interface CoreUtils {
  type(obj: unknown): string;
  inspect(obj: unknown): string;
  hasProperty(obj: unknown, name: unknown): boolean;
  getPathInfo(obj: unknown, path: unknown): { value: unknown; exists: boolean };
}
/** What chai-chains.ts hands over: chai's prototype and utils, its flag access and constructor. */
export interface CoreParts {
  proto: object;
  utils: CoreUtils;
  flagsOf(a: Flagged): Record<string, unknown>;
  make: Make;
}

const apply = Reflect.apply;
const isArray = Array.isArray;

/** `this.assert(ok, …)` with the messages built only when chai's assert could read them. */
function asserter(proto: object) {
  const chaiAssert = (proto as Asserting).assert;
  return (
    a: Asserting,
    expr: unknown,
    negate: unknown,
    messages: () => [string, string],
    rest: unknown[],
  ) => {
    const assert = a.assert; // read once, as chai's `this.assert(…)` reads it
    const sure = assert === chaiAssert && (negate ? !expr : expr);
    const [msg, negated] = sure ? ["", ""] : messages();
    apply(assert, a, [expr, msg, negated, ...rest]);
  };
}

/** The chainable records named `names` whose function is chai's `fnName`. */
function chaiChainables(proto: object, names: string[], fnName: string): Chainable[] {
  const methods = (proto as { __methods?: Record<string, Chainable> }).__methods;
  return names
    .map((name) => methods?.[name])
    .filter(
      (b): b is Chainable => !!b && Object.getOwnPropertyDescriptor(b.method, "name")?.value === fnName,
    );
}

/** chai's `assertLength` (`.lengthOf(n)`, `.length(n)`). */
export function fastLength({ proto, utils, flagsOf, make }: CoreParts): void {
  const assertWith = asserter(proto);
  const assertLength = function (this: Asserting, n: unknown, msg?: unknown): void {
    const flags = flagsOf(this);
    if (msg) flags.message = msg;
    const obj = flags.object as { size?: unknown; length?: unknown };
    const objType = utils.type(obj).toLowerCase();
    let descriptor = "length";
    let itemsCount: unknown;
    if (objType === "map" || objType === "set") {
      descriptor = "size";
      itemsCount = obj.size;
    } else {
      (make(obj, flags.message, flags.ssfi, true) as LengthChain).to.have.property("length");
      itemsCount = obj.length;
    }
    // biome-ignore lint/suspicious/noDoubleEquals: chai compares loosely (a length of "2" is 2)
    const expr = itemsCount == n;
    assertWith(
      this,
      expr,
      flags.negate,
      () => [
        `expected #{this} to have a ${descriptor} of #{exp} but got #{act}`,
        `expected #{this} to not have a ${descriptor} of #{act}`,
      ],
      [n, itemsCount],
    );
  };
  for (const b of chaiChainables(proto, ["length", "lengthOf"], "assertLength"))
    b.method = assertLength as Method;
}

/** chai's `include` (`.include`, `.includes`, `.contain`, `.contains`) for a string or an array. */
export function fastInclude({ proto, utils, flagsOf }: CoreParts): void {
  const assertWith = asserter(proto);
  for (const b of chaiChainables(proto, ["include", "includes", "contain", "contains"], "include")) {
    const original = b.method;
    b.method = function include(this: Asserting, ...args: unknown[]): unknown {
      const [val, msg] = args;
      const flags = flagsOf(this);
      const obj = flags.object as string | unknown[];
      const deep = flags.deep;
      const objType = typeof obj === "string" || (isArray(obj) && !deep) ? utils.type(obj).toLowerCase() : "";
      if (objType !== "string" && objType !== "array") return apply(original, this, args);
      if (msg) flags.message = msg;
      const included = (obj as string).indexOf(val as string) !== -1;
      const descriptor = deep ? "deep " : "";
      assertWith(
        this,
        included,
        flags.negate,
        () => [
          `expected #{this} to ${descriptor}include ${utils.inspect(val)}`,
          `expected #{this} to not ${descriptor}include ${utils.inspect(val)}`,
        ],
        [],
      );
      return undefined;
    } as Method;
  }
}

/** chai's `assertProperty` (`.property(name[, value[, msg]])`): `original` for a bad argument. */
export function fastProperty({ proto, utils, flagsOf }: CoreParts, original: Method): Method {
  const assertWith = asserter(proto);
  return function assertProperty(this: Asserting, ...args: unknown[]): unknown {
    const [name, val, msg] = args;
    const flags = flagsOf(this);
    const { nested, own } = flags;
    const obj = flags.object as Record<PropertyKey, unknown> | null | undefined;
    const nameType = typeof name;
    const badName = nested
      ? nameType !== "string"
      : nameType !== "string" && nameType !== "number" && nameType !== "symbol";
    if (badName || (nested && own) || obj === null || obj === undefined) return apply(original, this, args);
    if (msg) flags.message = msg;
    const { deep, negate } = flags;
    const pathInfo = nested ? utils.getPathInfo(obj, name) : null;
    const value = pathInfo ? pathInfo.value : obj[name as PropertyKey];
    const isEql = deep
      ? (flags.eql as (a: unknown, b: unknown) => boolean)
      : (a: unknown, b: unknown) => a === b;
    const descriptor = `${deep ? "deep " : ""}${own ? "own " : ""}${nested ? "nested " : ""}property `;
    const has = own
      ? Object.hasOwn(obj, name as PropertyKey)
      : pathInfo
        ? pathInfo.exists
        : utils.hasProperty(obj, name);
    const named = () => descriptor + utils.inspect(name);
    if (!negate || args.length === 1)
      assertWith(
        this,
        has,
        negate,
        () => [`expected #{this} to have ${named()}`, `expected #{this} to not have ${named()}`],
        [],
      );
    if (args.length > 1) {
      const expr = has && isEql(val, value);
      assertWith(
        this,
        expr,
        negate,
        () => [
          `expected #{this} to have ${named()} of #{exp}, but got #{act}`,
          `expected #{this} to not have ${named()} of #{act}`,
        ],
        [val, value],
      );
    }
    flags.object = value;
    return undefined;
  } as Method;
}
