/**
 * Target policy (SSRF guard): decides whether a run may contact a URL.
 *
 * `public` refuses every address that is not globally reachable unicast (the IANA IPv4 and IPv6
 * special-purpose registries, cloud metadata addresses, IPv6 forms that embed a refused IPv4 address),
 * loopback and metadata names, and names in private-use DNS zones; `any` allows everything (local
 * development). Only http and https are ever allowed. Checked offline: nothing is resolved or sent.
 */
import type { TargetCheck } from "../engine/types";

export interface TargetPolicyOptions {
  policy: "public" | "any";
  /**
   * Hosts always allowed: an exact host name or IP literal re-opens anything; a `*.example.com` wildcard
   * re-opens only names in private-use DNS zones (`*.corp.internal`), never an address or a loopback or
   * metadata name.
   */
  allowHosts?: string[];
}

/** Why a host is refused, and whether a wildcard allow-list entry may re-open it. */
interface Refusal {
  reason: string;
  /** `zone`: a name in a private-use DNS zone (wildcards may re-open); `fixed`: exact entries only. */
  kind: "zone" | "fixed";
}

const METADATA_HOSTS = new Set([
  "metadata.google.internal",
  "metadata.goog",
  "metadata",
  "instance-data",
  "instance-data.ec2.internal",
  "metadata.azure.internal",
  "metadata.platformequinix.com",
]);

/** DNS zones reserved for private use: `.internal` (ICANN 2024), `.local` (mDNS), `home.arpa` (RFC 8375). */
const PRIVATE_ZONES = ["internal", "local", "home.arpa", "localdomain", "intranet", "lan"];

/** Builds the check a run uses for every hop (request, redirect, `pm.sendRequest`, auth follow-ups). */
export function createTargetCheck(options: TargetPolicyOptions): TargetCheck {
  const exact = new Set<string>();
  const wildcards: string[] = [];
  for (const entry of options.allowHosts ?? []) {
    const e = entry.trim().toLowerCase().replace(/\.$/, "");
    if (e.startsWith("*.")) wildcards.push(e.slice(1));
    else if (e) exact.add(canonicalHost(e) ?? e);
  }
  return (url: URL) => {
    if (url.protocol !== "http:" && url.protocol !== "https:") {
      return `scheme '${url.protocol.replace(/:$/, "")}' is not allowed: only http and https`;
    }
    if (options.policy === "any") return null;
    const host = url.hostname.toLowerCase().replace(/\.$/, "");
    const refusal = classify(host);
    if (!refusal || exact.has(host)) return null;
    if (refusal.kind === "zone" && wildcards.some((w) => host.endsWith(w))) return null;
    return `target ${url.host} refused by TARGET_POLICY=public: ${refusal.reason}`;
  };
}

/** Why a host is not public, or null. URL parsing has already normalised IPv4 spellings (127.1, 0x7f.1, 2130706433). */
export function classifyHost(host: string): string | null {
  return classify(host.toLowerCase().replace(/\.$/, ""))?.reason ?? null;
}

/** The WHATWG canonical form of a host or IP literal (`127.1` → `127.0.0.1`, `[::FFFF:127.0.0.1]` → `[::ffff:7f00:1]`), or null. */
export function canonicalHost(host: string): string | null {
  try {
    const parsed = new URL(`http://${host}/`);
    return parsed.pathname === "/" && !parsed.username && !parsed.port ? parsed.hostname : null;
  } catch {
    return null;
  }
}

/** True for anything a URL parser would read as an IP address (bracketed, dotted, numeric last label). */
export function isIpLike(host: string): boolean {
  if (host.startsWith("[") || host.includes(":")) return true;
  const last = host.replace(/\.$/, "").split(".").at(-1) ?? "";
  return /^(0x[0-9a-f]*|\d+)$/i.test(last);
}

function classify(host: string): Refusal | null {
  const fixed = (reason: string): Refusal => ({ reason, kind: "fixed" });
  if (host === "localhost" || host.endsWith(".localhost")) return fixed("loopback name");
  if (METADATA_HOSTS.has(host)) return fixed("cloud metadata host");
  if (host.startsWith("[")) {
    const reason = classifyIPv6(host.slice(1, -1));
    return reason ? fixed(reason) : null;
  }
  const v4 = parseIPv4(host);
  if (v4 !== null) {
    const reason = classifyIPv4(v4);
    return reason ? fixed(reason) : null;
  }
  if (isIpLike(host)) return fixed("unparseable IP address");
  const zone = PRIVATE_ZONES.find((z) => host === z || host.endsWith(`.${z}`));
  return zone ? { reason: `name in the private-use DNS zone .${zone}`, kind: "zone" } : null;
}

/** A dotted-quad IPv4 address as an unsigned 32-bit number, or null. */
export function parseIPv4(host: string): number | null {
  const m = /^(\d{1,3})\.(\d{1,3})\.(\d{1,3})\.(\d{1,3})$/.exec(host);
  if (!m) return null;
  const parts = m.slice(1).map(Number);
  if (!parts.every((p) => p <= 255)) return null;
  return parts.reduce((n, p) => n * 256 + p, 0);
}

const v4 = (a: number, b: number, c: number, d: number) => ((a * 256 + b) * 256 + c) * 256 + d;

/** IANA IPv4 special-purpose registry (not globally reachable entries) plus cloud metadata hosts. */
const IPV4_REFUSED: Array<[number, number, string]> = [
  [v4(0, 0, 0, 0), 8, "unspecified / this-network address (0.0.0.0/8)"],
  [v4(10, 0, 0, 0), 8, "private address (10.0.0.0/8)"],
  [v4(100, 64, 0, 0), 10, "carrier-grade NAT address (100.64.0.0/10)"],
  [v4(127, 0, 0, 0), 8, "loopback address"],
  [v4(168, 63, 129, 16), 32, "Azure wireserver / metadata address"],
  [v4(169, 254, 0, 0), 16, "link-local / metadata address"],
  [v4(172, 16, 0, 0), 12, "private address (172.16.0.0/12)"],
  [v4(192, 0, 0, 0), 24, "IETF protocol assignment (192.0.0.0/24)"],
  [v4(192, 0, 2, 0), 24, "documentation address (192.0.2.0/24)"],
  [v4(192, 88, 99, 0), 24, "deprecated 6to4 relay anycast (192.88.99.0/24)"],
  [v4(192, 168, 0, 0), 16, "private address (192.168.0.0/16)"],
  [v4(198, 18, 0, 0), 15, "benchmarking address (198.18.0.0/15)"],
  [v4(198, 51, 100, 0), 24, "documentation address (198.51.100.0/24)"],
  [v4(203, 0, 113, 0), 24, "documentation address (203.0.113.0/24)"],
  [v4(224, 0, 0, 0), 4, "multicast address"],
  [v4(240, 0, 0, 0), 4, "reserved or broadcast address (240.0.0.0/4)"],
];

function classifyIPv4(addr: number): string | null {
  for (const [base, bits, reason] of IPV4_REFUSED) {
    const size = 2 ** (32 - bits);
    if (addr >= base && addr < base + size) return reason;
  }
  return null;
}

type Groups = number[];
const prefix = (g: Groups, p: Groups) => p.every((x, i) => g[i] === x);
const bitsMatch = (value: number, mask: number, want: number) => (value & mask) === want;
const embedded = (hi: number, lo: number) => hi * 65536 + lo;

/** IANA IPv6 special-purpose registry; only global unicast (2000::/3) outside it is public. */
function classifyIPv6(addr: string): string | null {
  const g = expandIPv6(addr);
  if (!g) return "unparseable IPv6 address";
  const [g0 = 0, g1 = 0, g2 = 0, , , g5 = 0, g6 = 0, g7 = 0] = g;
  const zeros = (n: number) => g.slice(0, n).every((x) => x === 0);
  // Forms that carry an IPv4 address: refused when that address is.
  const carried: [string, number] | null =
    zeros(5) && g5 === 0xffff
      ? ["IPv4-mapped", embedded(g6, g7)]
      : zeros(4) && g[4] === 0xffff && g5 === 0
        ? ["IPv4-translated", embedded(g6, g7)]
        : prefix(g, [0x64, 0xff9b, 0, 0, 0, 0])
          ? ["NAT64", embedded(g6, g7)]
          : g0 === 0x2002
            ? ["6to4", embedded(g1, g2)]
            : null;
  if (carried) {
    const reason = classifyIPv4(carried[1]);
    if (reason) return `${carried[0]} ${reason}`;
    if (g0 !== 0x2002) return null;
  }
  if (zeros(8)) return "unspecified address";
  if (zeros(7) && g7 === 1) return "loopback address";
  if (g0 === 0) return "reserved IPv6 address (::/8, incl. IPv4-compatible ::a.b.c.d)";
  if (prefix(g, [0x64, 0xff9b, 1])) return "local-use NAT64 address (64:ff9b:1::/48)";
  if (prefix(g, [0x100, 0, 0]) && (g[3] === 0 || g[3] === 1)) return "discard-only address (100::/64)";
  if (g0 === 0x2001 && g1 < 0x200)
    return "IETF protocol assignment (2001::/23: Teredo, benchmarking, ORCHID)";
  if (g0 === 0x2001 && g1 === 0xdb8) return "documentation address (2001:db8::/32)";
  if (bitsMatch(g0, 0xfff0, 0x3ff0)) return "documentation address (3fff::/20)";
  if (g0 === 0x3ffe) return "former 6bone address (3ffe::/16)";
  if (g0 === 0x5f00) return "SRv6 SID address (5f00::/16)";
  if (bitsMatch(g0, 0xfe00, 0xfc00)) return "unique-local address (fc00::/7)";
  if (bitsMatch(g0, 0xffc0, 0xfe80)) return "link-local address (fe80::/10)";
  if (bitsMatch(g0, 0xffc0, 0xfec0)) return "site-local address (fec0::/10)";
  if (bitsMatch(g0, 0xff00, 0xff00)) return "multicast address";
  if (!bitsMatch(g0, 0xe000, 0x2000)) return "not a global unicast address (outside 2000::/3)";
  return null;
}

function expandIPv6(addr: string): number[] | null {
  let text = addr.split("%")[0] ?? "";
  const dotted = /(\d+\.\d+\.\d+\.\d+)$/.exec(text);
  if (dotted) {
    const n = parseIPv4(dotted[1] ?? "");
    if (n === null) return null;
    const hi = Math.floor(n / 65536);
    text = `${text.slice(0, -(dotted[1] ?? "").length)}${hi.toString(16)}:${(n % 65536).toString(16)}`;
  }
  const [head = "", tail, extra] = text.split("::");
  if (extra !== undefined) return null;
  const h = head ? head.split(":") : [];
  const t = tail ? tail.split(":") : [];
  const missing = 8 - h.length - t.length;
  if (tail === undefined ? h.length !== 8 : missing < 1) return null;
  const all = [...h, ...Array<string>(tail === undefined ? 0 : missing).fill("0"), ...t];
  if (!all.every((x) => /^[0-9a-f]{1,4}$/i.test(x))) return null;
  return all.map((x) => Number.parseInt(x, 16));
}
