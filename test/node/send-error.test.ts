/**
 * The error object a failed pm.sendRequest hands its callback (prelude/send-error.ts): the engine's
 * reasons mapped back to the Node error fields Newman's scripts read (see side-request-callback.test.ts
 * for the differential against Newman).
 */
import { describe, expect, it } from "vitest";
import { scriptSendError } from "../../shared/sandbox/prelude/send-error";

const reach = (host: string, detail: string) => ({
  name: "RequestError",
  message: `could not reach ${host}: ${detail}`,
});

describe("scriptSendError", () => {
  it("names a refused connection as Node does, the port from the URL or the scheme", () => {
    const refused = { errno: -111, code: "ECONNREFUSED", syscall: "connect" };
    expect(scriptSendError(reach("127.0.0.1:1", "Network connection lost."), false)).toEqual({
      ...refused,
      address: "127.0.0.1",
      port: 1,
    });
    expect(scriptSendError(reach("[::1]:8080", "fetch failed (ECONNREFUSED)"), false)).toEqual({
      ...refused,
      address: "::1",
      port: 8080,
    });
    expect(
      scriptSendError(reach("10.0.0.9", "host not found or connection failed (internal error)"), true),
    ).toEqual({
      ...refused,
      address: "10.0.0.9",
      port: 443,
    });
  });

  it("names an unresolvable host ENOTFOUND (workerd's opaque internal error for a name)", () => {
    expect(
      scriptSendError(
        reach("nope.invalid", "host not found or connection failed (internal error; reference = x)"),
        false,
      ),
    ).toEqual({ errno: -3008, code: "ENOTFOUND", syscall: "getaddrinfo", hostname: "nope.invalid" });
    expect(scriptSendError(reach("api.example.com", "fetch failed (ENOTFOUND)"), true)).toMatchObject({
      code: "ENOTFOUND",
      hostname: "api.example.com",
    });
  });

  it("gives a timeout Newman's socket timeout and an empty URL Newman's empty object", () => {
    expect(
      scriptSendError({ name: "TimeoutError", message: "request to a exceeded the timeout of 5 ms" }, false),
    ).toEqual({ code: "ESOCKETTIMEDOUT", connect: false });
    expect(
      scriptSendError({ name: "Error", message: "runtime:extensions~request: request url is empty" }, false),
    ).toEqual({});
  });

  it("keeps name and message as fields for a reason Newman has no Node error for", () => {
    const policy = { name: "TargetPolicyError", message: "private address refused" };
    expect(scriptSendError(policy, false)).toEqual(policy);
    const tls = reach("self-signed.example", "TLS peer's certificate is not trusted");
    expect(scriptSendError(tls, true)).toEqual(tls);
  });
});
