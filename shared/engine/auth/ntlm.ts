/**
 * NTLM over HTTP (MS-NTHT) as postman-runtime's authorizer runs it: the request goes out without
 * `Authorization`; a 401/403 offering NTLM (or Negotiate) is answered with a type 1 message, the type 2
 * challenge that comes back with a type 3 message, and the response to that is the request's. The
 * messages are httpntlm's, the library postman-runtime builds them with, so their bytes (flags,
 * NTLMv2 or NTLM2 session response) are Newman's. NTLM authenticates the connection: the replays go out
 * on the connection the platform's fetch keeps alive for the target (see docs/from-newman.md).
 */
import { createType1Message, createType3Message, parseType2Message } from "httpntlm/ntlm.js";

/** The auth's parameters, resolved (authParams). */
export type NtlmParams = Record<string, string>;

/** Where a handshake stands: nothing sent yet, the type 1 sent, the type 3 sent. */
export type NtlmStage = "initial" | "negotiated" | "authenticated";

/** The next message to send, or why the handshake stops (postman-runtime's console warning). */
export type NtlmStep = { authorization: string } | { warning: string } | { done: true };

/**
 * `DOMAIN\user` or `user@DOMAIN` when no domain is set, as postman-runtime reads the username; both at
 * once, or an empty part, leaves the username whole.
 */
function identity(p: NtlmParams): {
  username: string;
  domain: string;
  workstation: string;
  password: string;
} {
  let username = p.username ?? "";
  let domain = p.domain ?? "";
  if (!domain) {
    const down = username.split("\\");
    const upn = username.split("@");
    if (!(down.length > 1 && upn.length > 1)) {
      if (down.length === 2 && down[0] && down[1]) [domain, username] = [down[0], down[1]];
      else if (upn.length === 2 && upn[0] && upn[1]) [username, domain] = [upn[0], upn[1]];
    }
  }
  return { username, domain, workstation: p.workstation ?? "", password: p.password ?? "" };
}

/** The WWW-Authenticate challenges one by one (the platform joins repeated headers with `, `). */
function challenges(header: string | null): string[] {
  return (header ?? "").split(/,\s*/).map((c) => c.trim());
}

/** postman-runtime starts the handshake for `NTLM` or `Negotiate` offered alone, or NTLM anywhere. */
function offersNtlm(header: string | null): boolean {
  const offered = challenges(header);
  return offered.includes("NTLM") || offered.includes("Negotiate") || (header ?? "").includes("NTLM");
}

const warning = (message: string): NtlmStep => ({
  warning: `runtime~ntlm.auth: there was an error validating auth: ${message}`,
});

/**
 * What to do after a response of an NTLM request at `stage`: answer with the next message, stop with a
 * warning, or stop (the response is the request's).
 */
export function ntlmStep(opts: {
  params: NtlmParams;
  stage: NtlmStage;
  status: number;
  wwwAuthenticate: string | null;
}): NtlmStep {
  const { params, stage, status, wwwAuthenticate } = opts;
  if (status !== 401 && status !== 403) return { done: true };
  const who = identity(params);
  if (stage === "initial") {
    if (!offersNtlm(wwwAuthenticate)) return { done: true };
    return { authorization: createType1Message({ domain: who.domain, workstation: who.workstation }) };
  }
  if (stage === "authenticated") return { done: true };
  const type2 = challenges(wwwAuthenticate).find((c) => c.startsWith("NTLM "));
  if (!type2) return warning("ntlm: server did not send NTLM type 2 message");
  let challenge: ReturnType<typeof parseType2Message>;
  try {
    challenge = parseType2Message(type2, () => undefined);
  } catch {
    challenge = null; // a message too short for its own fields
  }
  if (!challenge) return warning("ntlm: server did not correctly process authentication request");
  return { authorization: createType3Message(challenge, who) };
}
