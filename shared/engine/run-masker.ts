/**
 * A run's masker, one definition for every output of a run: the Runner's events and the report
 * context the run object stores (durable-objects/run-store.ts) mask with the same secrets and spare
 * the same collection-written names.
 */
import { credentialTemplates, staticText } from "../security/mask";
import { createMasker, type Masker, type MaskerOptions } from "../security/masker";
import type { RunPlan } from "./plan";
import type { Scopes } from "./types";

/**
 * The masker for a run's outputs: secret-typed variables and credentials of the plan (auth parameters,
 * credential headers, URL userinfo) resolved with the scopes given — a report masks with the final
 * scopes, so secrets a script added are covered too. The Runner calls `update` with each step's scopes.
 * Names written in the collection (items, folders, assertion names in scripts) are never rewritten.
 */
export function runMasker(
  plan: RunPlan,
  scopes: Pick<Scopes, "globals" | "collection" | "environment"> = {
    globals: plan.globals,
    collection: plan.collection.variables,
    environment: plan.environment.values,
  },
): Masker {
  const masker = createMasker([], maskerParts(plan));
  masker.update([scopes]);
  return masker;
}

/** The plan-derived parts of a run's masker, built once per plan object (a plan is never mutated). */
const planMaskerParts = new WeakMap<RunPlan, Required<MaskerOptions>>();

/** The templates and static names of a plan's masker (cached per plan object). */
export function maskerParts(plan: RunPlan): Required<MaskerOptions> {
  const cached = planMaskerParts.get(plan);
  if (cached) return cached;
  const items = plan.collection.items;
  const parts = {
    templates: credentialTemplates(items.map((i) => i.request)),
    isStatic: staticText({
      names: [
        plan.collection.name,
        ...items.flatMap((i) => [i.name, i.id, ...i.path]),
        ...plan.collection.folders.flatMap((f) => [f.name, f.id]),
      ],
      sources: [...new Set(items.flatMap((i) => [...i.prerequest, ...i.test].map((r) => r.source)))],
    }),
  };
  planMaskerParts.set(plan, parts);
  return parts;
}
