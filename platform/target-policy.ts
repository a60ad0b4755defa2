/**
 * Chooses the target check for this deployment from the parsed configuration (`TARGET_POLICY`,
 * `public` by default). The address classification itself lives in shared/security/target-policy.ts.
 */
import type { TargetCheck } from "../shared/engine/types";
import { createTargetCheck } from "../shared/security/target-policy";
import { config } from "./config";

/**
 * The deployment-wide allow list (`TARGET_ALLOW_HOSTS`) and the workspace's own list both open holes in
 * the `public` policy; neither can widen the scheme check.
 */
export function targetCheckFor(env: object, workspaceAllowHosts: string[] = []): TargetCheck {
  const cfg = config(env);
  const allow = cfg.TARGET_ALLOW_HOSTS.concat(workspaceAllowHosts.map((h) => h.toLowerCase()));
  return createTargetCheck({ policy: cfg.TARGET_POLICY, allowHosts: allow });
}
