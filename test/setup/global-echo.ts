/**
 * Vitest globalSetup: one real echo target for the whole suite, its URL provided as `targetUrl`, and
 * one NTLM-protected target (test/support/ntlm-server.ts) as `ntlmUrl`, with the account `ntlmAccount`.
 */
import type { TestProject } from "vitest/node";
import { startEchoServer } from "../echo-server";
import { type NtlmAccount, startNtlmServer } from "../support/ntlm-server";

declare module "vitest" {
  export interface ProvidedContext {
    targetUrl: string;
    ntlmUrl: string;
    ntlmAccount: NtlmAccount;
  }
}

const NTLM_ACCOUNT: NtlmAccount = { username: "ann", password: "s3cret! wörd", domain: "CORP" };

export default async function setup(project: TestProject): Promise<() => Promise<void>> {
  const echo = await startEchoServer();
  const ntlm = await startNtlmServer(NTLM_ACCOUNT);
  project.provide("targetUrl", echo.url);
  project.provide("ntlmUrl", ntlm.url);
  project.provide("ntlmAccount", NTLM_ACCOUNT);
  return async () => {
    await echo.close();
    await ntlm.close();
  };
}
