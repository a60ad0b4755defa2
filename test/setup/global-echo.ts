/** Vitest globalSetup: one real echo target for the whole suite, its URL provided as `targetUrl`. */
import type { TestProject } from "vitest/node";
import { startEchoServer } from "../echo-server";

declare module "vitest" {
  export interface ProvidedContext {
    targetUrl: string;
  }
}

export default async function setup(project: TestProject): Promise<() => Promise<void>> {
  const echo = await startEchoServer();
  project.provide("targetUrl", echo.url);
  return () => echo.close();
}
