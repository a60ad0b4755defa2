/**
 * Chooses the target check for this deployment from `TARGET_POLICY` (`public` by default).
 * The address classification itself lives in shared/security/target-policy.ts.
 */

import type { TargetCheck } from "../shared/engine/types";
import { createTargetCheck } from "../shared/security/target-policy";

export function targetCheckFor(env: { TARGET_POLICY?: string; TARGET_ALLOW_HOSTS?: string }): TargetCheck {
  const allow = (env.TARGET_ALLOW_HOSTS ?? "")
    .split(",")
    .map((h) => h.trim())
    .filter(Boolean);
  return createTargetCheck({ policy: env.TARGET_POLICY === "any" ? "any" : "public", allowHosts: allow });
}
