/**
 * Chooses the target check for this deployment from the parsed configuration (`TARGET_POLICY`,
 * `public` by default). The address classification itself lives in shared/security/target-policy.ts.
 */
import type { TargetCheck } from "../shared/engine/types";
import { allowHostProblem } from "../shared/security/allow-hosts";
import { createTargetCheck } from "../shared/security/target-policy";
import { config } from "./config";
import { log } from "./log";

/**
 * The deployment-wide allow list (`TARGET_ALLOW_HOSTS`) and the workspace's own list both open holes in
 * the `public` policy; neither can widen the scheme check.
 */
export function targetCheckFor(env: object, workspaceAllowHosts: string[] = []): TargetCheck {
  const cfg = config(env);
  const allow = deploymentAllowHosts(cfg.TARGET_ALLOW_HOSTS).concat(
    workspaceAllowHosts.map((h) => h.toLowerCase()),
  );
  return createTargetCheck({ policy: cfg.TARGET_POLICY, allowHosts: allow });
}

let warned = false;

/** `TARGET_ALLOW_HOSTS` entries pass the same rules as workspace allow lists; others are ignored (logged once). */
function deploymentAllowHosts(entries: string[]): string[] {
  const ok = entries.filter((e) => allowHostProblem(e) === null);
  if (ok.length !== entries.length && !warned) {
    warned = true;
    const bad = entries.filter((e) => allowHostProblem(e) !== null);
    log.warn("TARGET_ALLOW_HOSTS entries ignored", {
      entries: bad.join(","),
      reason: allowHostProblem(bad[0]!),
    });
  }
  return ok;
}
