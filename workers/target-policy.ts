/**
 * Chooses the target check for this deployment from `TARGET_POLICY` (`public` by default).
 * The address classification itself lives in shared/security/target-policy.ts.
 */

import type { TargetCheck } from "../shared/engine/types";
import { createTargetCheck } from "../shared/security/target-policy";

/**
 * The deployment-wide allow list (`TARGET_ALLOW_HOSTS`) and the workspace's own list both open holes in
 * the `public` policy; neither can widen the scheme check.
 */
export function targetCheckFor(
  env: { TARGET_POLICY?: string; TARGET_ALLOW_HOSTS?: string },
  workspaceAllowHosts: string[] = [],
): TargetCheck {
  const allow = (env.TARGET_ALLOW_HOSTS ?? "")
    .split(",")
    .map((h) => h.trim().toLowerCase())
    .filter(Boolean)
    .concat(workspaceAllowHosts.map((h) => h.toLowerCase()));
  return createTargetCheck({ policy: env.TARGET_POLICY === "any" ? "any" : "public", allowHosts: allow });
}
