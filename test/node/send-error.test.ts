/**
 * Newman's words for a request without a response (engine/request-error.ts) and the Node error fields
 * read back from them, which a failed pm.sendRequest hands its callback (prelude/send-error.ts) and
 * the JSON report stores as `requestError` (see request-errors-newman.test.ts and
 * side-request-callback.test.ts for the differentials against Newman).
 */
import { describe, expect, it } from "vitest";
import {
  badPort,
  nodeErrorFields,
  platformFailure,
  unresolvableHost,
} from "../../shared/engine/request-error";
import { scriptSendError } from "../../shared/sandbox/prelude/send-error";

const hop = (host: string, port: number) => ({ host, port, afterHeaders: false });
const lost = { message: "Network connection lost." };
const internal = { message: "internal error; reference = abc" };

describe("platformFailure", () => {
  it("words workerd's lost connection as Node's refused one before the response, `aborted` after", () => {
    expect(platformFailure(lost, hop("127.0.0.1", 9))).toEqual({
      name: "Error",
      message: "connect ECONNREFUSED 127.0.0.1:9",
    });
    expect(platformFailure(lost, hop("::1", 8080))?.message).toBe("connect ECONNREFUSED ::1:8080");
    expect(platformFailure(lost, { host: "a.test", port: 80, afterHeaders: true })?.message).toBe("aborted");
  });

  it("words workerd's internal error for a name as a failed lookup, and keeps it for an address", () => {
    expect(platformFailure(internal, hop("nope.invalid", 443))?.message).toBe(
      "getaddrinfo ENOTFOUND nope.invalid",
    );
    expect(platformFailure(internal, hop("10.0.0.9", 443))).toBeUndefined();
    expect(platformFailure(internal, hop("localhost", 443))).toBeUndefined();
  });

  it("takes Node's own error from Node's fetch (its cause), a closed socket as Node's client words it", () => {
    const cause = (code: string, message: string) => ({ message: "fetch failed", cause: { code, message } });
    expect(platformFailure(cause("ECONNREFUSED", "connect ECONNREFUSED 127.0.0.1:1"), hop("x", 1))).toEqual({
      name: "Error",
      message: "connect ECONNREFUSED 127.0.0.1:1",
    });
    expect(
      platformFailure(cause("DEPTH_ZERO_SELF_SIGNED_CERT", "self-signed certificate"), hop("x", 1))?.message,
    ).toBe("self-signed certificate");
    expect(platformFailure(cause("UND_ERR_SOCKET", "other side closed"), hop("x", 1))?.message).toBe(
      "socket hang up",
    );
    expect(platformFailure(cause("UND_ERR_X", "odd"), hop("x", 1))).toBeUndefined();
  });

  it("words the socket path's refusal for an address only (a name may not have resolved)", () => {
    const wire = { message: "cannot connect to 127.0.0.1:1" };
    expect(platformFailure(wire, hop("127.0.0.1", 1))?.message).toBe("connect ECONNREFUSED 127.0.0.1:1");
    expect(platformFailure({ message: "cannot connect to a.test:1" }, hop("a.test", 1))).toBeUndefined();
  });
});

describe("badPort", () => {
  it("is Node's RangeError for a port past 65535, from the definition's port or the URL text", () => {
    const message = "Port should be >= 0 and < 65536. Received type string ('99999').";
    expect(badPort({ url: "http://127.0.0.1:99999/x" })).toEqual({ name: "RangeError", message });
    expect(badPort({ port: "99999" })).toEqual({ name: "RangeError", message });
    expect(badPort({ url: "http://u:p@[::1]:70000" })?.message).toContain("('70000')");
    expect(badPort({ url: "http://127.0.0.1:8080/x" })).toBeUndefined();
    expect(badPort({ url: "http://h/:99999" })).toBeUndefined();
    expect(badPort({ url: "http://h:/x" })).toBeUndefined();
  });

  it("is the same RangeError for a port that is no number (an unresolved variable, text)", () => {
    const message = (port: string) => `Port should be >= 0 and < 65536. Received type string ('${port}').`;
    expect(badPort({ url: "http://127.0.0.1:35275{{system_port}}/api" })?.message).toBe(
      message("35275{{system_port}}"),
    );
    expect(badPort({ port: "abc" })).toEqual({ name: "RangeError", message: message("abc") });
    expect(badPort({ url: "localhost:{{port}}/x" })?.message).toBe(message("{{port}}"));
  });
});

describe("unresolvableHost", () => {
  it("is Node's failed lookup of the host as written, lower-cased, for http(s) or no scheme", () => {
    const lookup = (host: string) => ({ name: "Error", message: `getaddrinfo ENOTFOUND ${host}` });
    expect(unresolvableHost("http://exa mple.com/x")).toEqual(lookup("exa mple.com"));
    expect(unresolvableHost("https://u:p@A<b.COM:8080/x?y")).toEqual(lookup("a<b.com"));
    expect(unresolvableHost("{{baseUrl}} x/get")).toEqual(lookup("{{baseurl}} x"));
    expect(unresolvableHost("http://[::1")).toBeUndefined();
    expect(unresolvableHost("ftp://a b/")).toBeUndefined();
  });

  it("is what workerd's refusal to load a host becomes, and its report fields keep the name", () => {
    const at = { host: "{{baseurl}}", port: 80, afterHeaders: false };
    const failure = platformFailure({ message: "Fetch API cannot load: http://{{baseurl}}/get" }, at);
    expect(failure).toEqual({ name: "Error", message: "getaddrinfo ENOTFOUND {{baseurl}}" });
    expect(nodeErrorFields({ name: "Error", message: "getaddrinfo ENOTFOUND exa mple.com" })).toEqual({
      errno: -3008,
      code: "ENOTFOUND",
      syscall: "getaddrinfo",
      hostname: "exa mple.com",
    });
  });
});

describe("nodeErrorFields", () => {
  const fields = (message: string, name = "Error") => nodeErrorFields({ name, message });

  it("reads Node's connection errors back into Node's fields", () => {
    expect(fields("connect ECONNREFUSED 127.0.0.1:9")).toEqual({
      errno: -111,
      code: "ECONNREFUSED",
      syscall: "connect",
      address: "127.0.0.1",
      port: 9,
    });
    expect(fields("connect ECONNREFUSED ::1:80")).toMatchObject({ address: "::1", port: 80 });
    expect(fields("getaddrinfo ENOTFOUND nope.invalid")).toEqual({
      errno: -3008,
      code: "ENOTFOUND",
      syscall: "getaddrinfo",
      hostname: "nope.invalid",
    });
    expect(fields("read ECONNRESET")).toEqual({ errno: -104, code: "ECONNRESET", syscall: "read" });
  });

  it("gives Newman's other errors the fields its report has, and none to edgerun's own", () => {
    expect(fields("ESOCKETTIMEDOUT")).toEqual({ code: "ESOCKETTIMEDOUT", connect: false });
    expect(fields("socket hang up")).toEqual({ code: "ECONNRESET" });
    expect(fields("aborted")).toEqual({ code: "ECONNRESET" });
    expect(fields("self-signed certificate; if the root CA is installed locally, …")).toEqual({
      code: "DEPTH_ZERO_SELF_SIGNED_CERT",
    });
    expect(fields("Port should be >= 0 and < 65536. Received type string ('1e6').", "RangeError")).toEqual({
      code: "ERR_SOCKET_BAD_PORT",
    });
    expect(fields("Invalid protocol: ftp:")).toEqual({});
    expect(fields("Exceeded maxRedirects. Probably stuck in a redirect loop http://a/")).toEqual({});
    expect(fields("runtime:extensions~request: request url is empty")).toEqual({});
    expect(fields("connect ECONNREFUSED 127.0.0.1:9", "RequestError")).toBeUndefined();
    expect(fields("could not reach a: odd")).toBeUndefined();
  });
});

describe("scriptSendError", () => {
  it("is Node's fields, a timeout's (edgerun's default too) and {} for an empty URL", () => {
    expect(scriptSendError({ name: "Error", message: "connect ECONNREFUSED 127.0.0.1:1" })).toMatchObject({
      code: "ECONNREFUSED",
      port: 1,
    });
    expect(
      scriptSendError({ name: "TimeoutError", message: "request to a exceeded the timeout of 5 ms" }),
    ).toEqual({ code: "ESOCKETTIMEDOUT", connect: false });
    expect(
      scriptSendError({ name: "Error", message: "runtime:extensions~request: request url is empty" }),
    ).toEqual({});
  });

  it("keeps name and message as fields for a reason Newman has no Node error for", () => {
    const policy = { name: "TargetPolicyError", message: "private address refused" };
    expect(scriptSendError(policy)).toEqual(policy);
    const tls = {
      name: "RequestError",
      message: "could not reach 10.0.0.9: host not found or connection failed",
    };
    expect(scriptSendError(tls)).toEqual(tls);
  });
});
