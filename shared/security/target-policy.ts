/**
 * Target policy (SSRF guard): decides whether a run may contact a URL.
 *
 * `public` refuses loopback, private, link-local, CGNAT, multicast, unspecified and metadata addresses;
 * `any` allows everything (local development). Only http and https are ever allowed.
 */
import type { TargetCheck } from "../engine/types";

export interface TargetPolicyOptions {
  policy: "public" | "any";
  /** Hosts always allowed (exact match, or `*.example.com`). */
  allowHosts?: string[];
}

const METADATA_HOSTS = new Set([
  "metadata.google.internal",
  "metadata",
  "instance-data",
  "metadata.azure.internal",
]);

export function createTargetCheck(options: TargetPolicyOptions): TargetCheck {
  return (url: URL) => {
    if (url.protocol !== "http:" && url.protocol !== "https:") {
      return `scheme '${url.protocol.replace(/:$/, "")}' is not allowed: only http and https`;
    }
    if (options.policy === "any") return null;
    const host = url.hostname.toLowerCase().replace(/\.$/, "");
    if (options.allowHosts?.some((h) => (h.startsWith("*.") ? host.endsWith(h.slice(1)) : host === h)))
      return null;
    const reason = classifyHost(host);
    return reason ? `target ${url.host} refused by TARGET_POLICY=public: ${reason}` : null;
  };
}

/** Why a host is not public, or null. URL parsing has already normalised IPv4 spellings (127.1, 0x7f.1, 2130706433). */
export function classifyHost(host: string): string | null {
  if (host === "localhost" || host.endsWith(".localhost")) return "loopback name";
  if (METADATA_HOSTS.has(host)) return "cloud metadata host";
  if (host.startsWith("[")) return classifyIPv6(host.slice(1, -1));
  const v4 = parseIPv4(host);
  if (v4) return classifyIPv4(v4);
  return null;
}

function parseIPv4(host: string): number[] | null {
  const m = /^(\d{1,3})\.(\d{1,3})\.(\d{1,3})\.(\d{1,3})$/.exec(host);
  if (!m) return null;
  const parts = m.slice(1).map(Number);
  return parts.every((p) => p <= 255) ? parts : null;
}

function classifyIPv4([a = 0, b = 0]: number[]): string | null {
  if (a === 0) return "unspecified address (0.0.0.0/8)";
  if (a === 127) return "loopback address";
  if (a === 10 || (a === 172 && b >= 16 && b <= 31) || (a === 192 && b === 168)) return "private address";
  if (a === 169 && b === 254) return "link-local / metadata address";
  if (a === 100 && b >= 64 && b <= 127) return "carrier-grade NAT address";
  if (a >= 224) return "multicast or reserved address";
  if (a === 192 && b === 0) return "IETF protocol assignment";
  if (a === 198 && (b === 18 || b === 19)) return "benchmarking address";
  return null;
}

function classifyIPv6(addr: string): string | null {
  const groups = expandIPv6(addr);
  if (!groups) return "unparseable IPv6 address";
  if (groups.every((g) => g === 0)) return "unspecified address";
  if (groups.slice(0, 7).every((g) => g === 0) && groups[7] === 1) return "loopback address";
  const first = groups[0] ?? 0;
  if ((first & 0xfe00) === 0xfc00) return "unique-local address";
  if ((first & 0xffc0) === 0xfe80) return "link-local address";
  if ((first & 0xff00) === 0xff00) return "multicast address";
  const embedded = embeddedIPv4(groups);
  if (embedded) {
    const reason = classifyIPv4(embedded);
    if (reason) return `IPv4-embedded ${reason}`;
  }
  return null;
}

function embeddedIPv4(g: number[]): number[] | null {
  const tail = (hi: number, lo: number) => [hi >> 8, hi & 255, lo >> 8, lo & 255];
  // ::ffff:a.b.c.d (mapped), ::a.b.c.d (compatible), 64:ff9b::/96 (NAT64)
  if (g.slice(0, 5).every((x) => x === 0) && (g[5] === 0xffff || g[5] === 0))
    return tail(g[6] ?? 0, g[7] ?? 0);
  if (g[0] === 0x64 && g[1] === 0xff9b) return tail(g[6] ?? 0, g[7] ?? 0);
  // 2002:AABB:CCDD::/48 (6to4)
  if (g[0] === 0x2002) return tail(g[1] ?? 0, g[2] ?? 0);
  return null;
}

function expandIPv6(addr: string): number[] | null {
  let text = addr.split("%")[0] ?? "";
  const v4 = /(\d+\.\d+\.\d+\.\d+)$/.exec(text);
  if (v4) {
    const p = parseIPv4(v4[1] ?? "");
    if (!p) return null;
    text =
      text.slice(0, -(v4[1] ?? "").length) +
      `${((p[0]! << 8) | p[1]!).toString(16)}:${((p[2]! << 8) | p[3]!).toString(16)}`;
  }
  const [head = "", tail] = text.split("::");
  const h = head ? head.split(":") : [];
  const t = tail ? tail.split(":") : [];
  const missing = 8 - h.length - t.length;
  if (tail === undefined ? h.length !== 8 : missing < 0) return null;
  const all = [...h, ...Array<string>(tail === undefined ? 0 : missing).fill("0"), ...t].map((x) =>
    Number.parseInt(x, 16),
  );
  return all.length === 8 && all.every((n) => Number.isFinite(n) && n >= 0 && n <= 0xffff) ? all : null;
}
