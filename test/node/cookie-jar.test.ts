/**
 * The run's cookie jar: RFC 6265 matching and the caps that keep a hostile target from growing the
 * run state or the next request's Cookie header without bound.
 */
import { describe, expect, it } from "vitest";
import { COOKIE_LIMITS, CookieJar } from "../../shared/engine/cookie-jar";

const flood = (n: number, prefix = "c") => Array.from({ length: n }, (_, i) => `${prefix}${i}=v; Path=/`);

describe("cookie jar caps", () => {
  it("keeps the newest per-domain cap of 5000 Set-Cookie headers", () => {
    const jar = new CookieJar();
    jar.storeFromResponse("http://a.example/", flood(5000));
    const sent = jar.headerFor("http://a.example/").split("; ");
    expect(sent).toHaveLength(COOKIE_LIMITS.perDomain);
    expect(sent).toContain("c4999=v");
    expect(sent).not.toContain("c0=v");
    expect(jar.toJSON()).toHaveLength(COOKIE_LIMITS.perDomain);
  });

  it("caps the whole jar across domains, evicting the oldest", () => {
    const jar = new CookieJar();
    const domains = Math.ceil(COOKIE_LIMITS.total / COOKIE_LIMITS.perDomain) + 2;
    for (let d = 0; d < domains; d++)
      jar.storeFromResponse(`http://d${d}.example/`, flood(COOKIE_LIMITS.perDomain));
    expect(jar.toJSON()).toHaveLength(COOKIE_LIMITS.total);
    expect(jar.headerFor("http://d0.example/")).toBe("");
    expect(jar.headerFor(`http://d${domains - 1}.example/`).split("; ")).toHaveLength(
      COOKIE_LIMITS.perDomain,
    );
  });

  it("ignores a cookie over the per-cookie size, from a target or a script", () => {
    const jar = new CookieJar();
    const big = "x".repeat(COOKIE_LIMITS.cookieBytes);
    jar.storeFromResponse("http://a.example/", [`big=${big}`, "small=1"]);
    jar.set("http://a.example/", { name: "big2", value: big });
    expect(jar.headerFor("http://a.example/")).toBe("small=1");
  });

  it("replaces a cookie of the same name, domain and path without counting it twice", () => {
    const jar = new CookieJar();
    for (let i = 0; i < COOKIE_LIMITS.perDomain * 2; i++)
      jar.storeFromResponse("http://a.example/", [`same=${i}`]);
    expect(jar.headerFor("http://a.example/")).toBe(`same=${COOKIE_LIMITS.perDomain * 2 - 1}`);
  });
});
