/**
 * When a run's masker must re-derive its secrets: `Masker.update` resolves the run's credential
 * templates and collects secret-typed values from every scope set after every step, though most steps
 * change no variable (no script, or scripts that only assert). What it reads of the scopes is each
 * variable's key, value, type and whether it is enabled, so a step whose scope lists hold the same of
 * those, in the same order, would derive the same secrets.
 */
import type { ScopeSet } from "../security/mask";

/**
 * The scope sets as a flat list of what `update` reads, or undefined when they cannot be compared
 * that way: a value that is an object or array (it could change in place), NaN, or a text with a
 * `{{$dynamic}}` variable in it.
 */
export function scopeSignature(sets: ScopeSet[]): unknown[] | undefined {
  const flat: unknown[] = [sets.length];
  for (const s of sets)
    for (const list of [s.globals, s.collection, s.environment, s.local ?? []]) {
      flat.push(list.length);
      for (const v of list) {
        const value = v.value;
        if ((value !== null && typeof value === "object") || Number.isNaN(value)) return undefined;
        // A value that names a dynamic variable resolves anew each time (also through other variables).
        if (typeof value === "string" && value.includes("{{$")) return undefined;
        flat.push(v.key, value, v.type, v.enabled);
      }
    }
  return flat;
}

/** Whether two signatures are equal element by element (undefined equals nothing). */
export function sameSignature(a: unknown[] | undefined, b: unknown[] | undefined): boolean {
  if (!a || !b || a.length !== b.length) return false;
  for (let i = 0; i < a.length; i++) if (a[i] !== b[i]) return false;
  return true;
}
