/**
 * Allow-list entries (`allowHosts` of a workspace, `TARGET_ALLOW_HOSTS`): what an operator may list.
 *
 * - an exact host name (`build.example.com`, `db.corp.internal`, `localhost`);
 * - an exact IPv4 address in dotted-quad form (`10.0.0.5`) or a bracketed IPv6 address in canonical
 *   form (`[fd00::5]`) — the only way to open a private address;
 * - a wildcard `*.domain` whose domain is at or below a registrable domain (`*.example.com`,
 *   `*.corp.internal`), never a public suffix (`*.com`, `*.co.uk`, `*.github.io`) and never IP-like
 *   (`*.0.0.1`). Wildcards re-open only names in private-use DNS zones, never addresses (see
 *   target-policy.ts).
 */
import { getDomain } from "tldts";
import * as z from "zod";
import { canonicalHost, isIpLike, parseIPv4 } from "./target-policy";

const LABEL = "[a-z0-9_]([a-z0-9_-]{0,61}[a-z0-9_])?";
const HOSTNAME = new RegExp(`^${LABEL}(\\.${LABEL})*$`);

/** Why an entry is not acceptable, or null. Expects a trimmed, lower-cased entry. */
export function allowHostProblem(entry: string): string | null {
  if (entry.startsWith("*.")) {
    const domain = entry.slice(2);
    if (!HOSTNAME.test(domain)) return "a wildcard must be *. followed by a domain name";
    if (isIpLike(domain)) return "a wildcard cannot name IP addresses: list each address exactly";
    if (getDomain(domain, { allowPrivateDomains: true }) === null)
      return `*.${domain} would cover a whole public suffix: name a registrable domain (*.example.com)`;
    return null;
  }
  if (entry.startsWith("[")) {
    const canonical = canonicalHost(entry);
    if (!canonical?.startsWith("[")) return "not a valid bracketed IPv6 address";
    return canonical === entry ? null : `write this IPv6 address in canonical form: ${canonical}`;
  }
  if (isIpLike(entry)) {
    if (parseIPv4(entry) === null || canonicalHost(entry) !== entry)
      return "an IPv4 address must be written as four decimal numbers (10.0.0.5)";
    return null;
  }
  return HOSTNAME.test(entry) ? null : "not a valid host name";
}

/** One allow-list entry: see the module comment for the rules. */
export const AllowHostSchema = z
  .string()
  .trim()
  .toLowerCase()
  .min(1)
  .max(253)
  .superRefine((entry, ctx) => {
    const problem = allowHostProblem(entry);
    if (problem) ctx.addIssue({ code: "custom", message: problem });
  });
export type AllowHost = z.infer<typeof AllowHostSchema>;
