/**
 * Address classification and allow-list rules of the target policy, offline: URLs are only parsed and
 * classified, nothing is resolved or sent. Properties cover every spelling of every refused range.
 */
import fc from "fast-check";
import { describe, expect, it } from "vitest";
import { AllowHostSchema } from "../../shared/security/allow-hosts";
import { classifyHost, createTargetCheck } from "../../shared/security/target-policy";

const check = createTargetCheck({ policy: "public" });
const refused = (url: string) => check(new URL(url)) !== null;

/** IPv4 ranges `public` must refuse: [first address, prefix length]. */
const REFUSED_V4: Array<[string, number]> = [
  ["0.0.0.0", 8],
  ["10.0.0.0", 8],
  ["100.64.0.0", 10],
  ["127.0.0.0", 8],
  ["168.63.129.16", 32],
  ["169.254.0.0", 16],
  ["172.16.0.0", 12],
  ["192.0.0.0", 24],
  ["192.0.2.0", 24],
  ["192.88.99.0", 24],
  ["192.168.0.0", 16],
  ["198.18.0.0", 15],
  ["198.51.100.0", 24],
  ["203.0.113.0", 24],
  ["224.0.0.0", 4],
  ["240.0.0.0", 4],
];

const toNum = (dotted: string) => dotted.split(".").reduce((n, p) => n * 256 + Number(p), 0);
const toDotted = (n: number) => [24, 16, 8, 0].map((s) => Math.floor(n / 2 ** s) % 256).join(".");
const inRange = (n: number, [base, bits]: [string, number]) =>
  n >= toNum(base) && n < toNum(base) + 2 ** (32 - bits);
const hex = (n: number) => `${Math.floor(n / 65536).toString(16)}:${(n % 65536).toString(16)}`;

/** Every way a URL can carry one IPv4 address. */
function spellings(n: number): string[] {
  const d = toDotted(n);
  return [
    `http://${d}/`,
    `http://${n}/`,
    `http://0x${n.toString(16)}/`,
    `http://[::ffff:${d}]/`,
    `http://[::ffff:0:${d}]/`,
    `http://[64:ff9b::${d}]/`,
    `http://[2002:${hex(n)}::1]/`,
  ];
}

const refusedV4 = fc
  .constantFrom(...REFUSED_V4)
  .chain(([base, bits]) => fc.integer({ min: 0, max: 2 ** (32 - bits) - 1 }).map((o) => toNum(base) + o));
const publicV4 = fc
  .integer({ min: 0, max: 2 ** 32 - 1 })
  .filter((n) => !REFUSED_V4.some((r) => inRange(n, r)));

describe("address classification", () => {
  it.each([
    "http://[::ffff:0:7f00:1]/",
    "http://[2001::1]/",
    "http://[2001:0:4136:e378:8000:63bf:3fff:fdd2]/",
    "http://[fec0::1]/",
    "http://[100::1]/",
    "http://192.88.99.1/",
    "http://168.63.129.16/",
    "http://[64:ff9b::a00:1]/",
    "http://[64:ff9b:1::1]/",
    "http://[2002:c0a8:101::1]/",
    "http://[::127.0.0.1]/",
    "http://[::8.8.8.8]/",
    "http://198.18.0.1/",
    "http://198.19.255.255/",
    "http://192.0.2.1/",
    "http://198.51.100.7/",
    "http://203.0.113.9/",
    "http://[2001:db8::1]/",
    "http://[3fff::1]/",
    "http://[2001:2::1]/",
    "http://[5f00::1]/",
    "http://[4000::1]/",
    "http://255.255.255.255/",
    "http://192.0.0.192/",
    "http://metadata.goog/",
    "http://printer.local/",
    "http://db.corp.internal/",
    "http://nas.home.arpa/",
  ])("refuses %s", (url) => {
    expect(refused(url)).toBe(true);
  });

  it.each([
    "https://example.com/",
    "http://8.8.8.8/",
    "http://[2606:4700::1111]/",
    "http://[2002:808:808::1]/",
    "http://[::ffff:8.8.8.8]/",
    "http://[64:ff9b::8.8.8.8]/",
    "http://192.31.196.1/",
    "http://staging.example/",
  ])("allows %s", (url) => {
    expect(refused(url)).toBe(false);
  });

  it("refuses every address of every refused IPv4 range in every spelling (property)", () => {
    fc.assert(
      fc.property(refusedV4, (n) => spellings(n).every(refused)),
      { numRuns: 2000 },
    );
  });

  it("allows public IPv4 addresses in every spelling (property)", () => {
    fc.assert(
      fc.property(publicV4, (n) => spellings(n).every((u) => !refused(u))),
      { numRuns: 2000 },
    );
  });

  it("refuses everything outside global unicast 2000::/3 (property)", () => {
    const group = fc.integer({ min: 0, max: 0xffff });
    fc.assert(
      fc.property(fc.array(group, { minLength: 8, maxLength: 8 }), (g) => {
        const first = g[0] ?? 0;
        const url = `http://[${g.map((x) => x.toString(16)).join(":")}]/`;
        const global = (first & 0xe000) === 0x2000;
        return global || refused(url) || first === 0x64;
      }),
      { numRuns: 2000 },
    );
  });

  it("names the reason", () => {
    expect(classifyHost("[fec0::1]")).toMatch(/site-local/);
    expect(classifyHost("168.63.129.16")).toMatch(/Azure/);
    expect(classifyHost("[::ffff:0:7f00:1]")).toMatch(/IPv4-translated loopback/);
  });
});

describe("allow lists", () => {
  it("re-opens a private address only by an exact entry", () => {
    const c = createTargetCheck({ policy: "public", allowHosts: ["10.0.0.5", "[fd00::5]", "localhost"] });
    expect(c(new URL("http://10.0.0.5/"))).toBeNull();
    expect(c(new URL("http://[fd00::5]/"))).toBeNull();
    expect(c(new URL("http://localhost:8787/"))).toBeNull();
    expect(c(new URL("http://10.0.0.6/"))).not.toBeNull();
    expect(c(new URL("http://a.localhost/"))).not.toBeNull();
  });

  it("lets a wildcard re-open names in private-use zones but never an address (property)", () => {
    const wild = createTargetCheck({ policy: "public", allowHosts: ["*.corp.internal"] });
    expect(wild(new URL("http://db.corp.internal/"))).toBeNull();
    expect(wild(new URL("http://db.other.internal/"))).not.toBeNull();
    const label = fc.stringMatching(/^[a-z0-9]{1,10}$/);
    fc.assert(
      fc.property(refusedV4, fc.array(label, { minLength: 1, maxLength: 3 }), (n, labels) => {
        const d = toDotted(n);
        const tails = [labels.join("."), d.split(".").slice(1).join("."), d.split(".").slice(2).join(".")];
        const c = createTargetCheck({ policy: "public", allowHosts: tails.map((t) => `*.${t}`) });
        return spellings(n).every((u) => c(new URL(u)) !== null);
      }),
      { numRuns: 500 },
    );
    const loop = createTargetCheck({ policy: "public", allowHosts: ["*.0.0.1", "*.localhost", "*.1"] });
    expect(loop(new URL("http://127.0.0.1/"))).not.toBeNull();
    expect(loop(new URL("http://api.localhost/"))).not.toBeNull();
  });
});

describe("AllowHostSchema", () => {
  const ok = (entry: string) => AllowHostSchema.safeParse(entry).success;

  it.each([
    "*.example.com",
    "*.staging.example",
    "*.corp.internal",
    "*.a.b.example.co.uk",
    "10.0.0.5",
    "[fd00::5]",
    "localhost",
    "api.example.com",
    " Svc.Example ",
  ])("accepts %s", (entry) => {
    expect(ok(entry)).toBe(true);
  });

  it.each([
    "*.com",
    "*.co.uk",
    "*.github.io",
    "*.internal",
    "*.0.0.1",
    "*.1",
    "*.[::1]",
    "*",
    "*.",
    "127.1",
    "0x7f.0.0.1",
    "2130706433",
    "[::FFFF:127.0.0.1]",
    "[not-ip]",
    "http://x.example/path",
    "x.example:8080",
    "",
  ])("rejects %s", (entry) => {
    expect(ok(entry)).toBe(false);
  });

  it("rejects a wildcard over any public suffix or numeric tail (property)", () => {
    const suffix = fc.constantFrom(
      "com",
      "org",
      "net",
      "co.uk",
      "com.au",
      "github.io",
      "herokuapp.com",
      "io",
    );
    fc.assert(fc.property(suffix, (s) => !ok(`*.${s}`)));
    fc.assert(
      fc.property(fc.array(fc.integer({ min: 0, max: 999 }), { minLength: 1, maxLength: 4 }), (parts) => {
        return !ok(`*.${parts.join(".")}`);
      }),
    );
  });

  it("accepts what it accepts in canonical form, so exact entries match URL hosts (property)", () => {
    fc.assert(
      fc.property(publicV4, (n) => {
        const d = toDotted(n);
        return (
          ok(d) && createTargetCheck({ policy: "public", allowHosts: [d] })(new URL(`http://${d}/`)) === null
        );
      }),
    );
  });
});
