import { defineConfig } from "vitest/config";

/** End-to-end tests of the web app: the real stack (wrangler dev) driven by headless Chromium. */
export default defineConfig({
  test: {
    name: "browser",
    include: ["test/browser/**/*.test.ts"],
    globalSetup: ["test/setup/global-echo.ts"],
    testTimeout: 45_000,
    // CI gets one retry per failing test (vitest marks it "retry x1" in the log); locally a flake fails.
    retry: process.env.CI ? 1 : 0,
    hookTimeout: 90_000,
    fileParallelism: false,
  },
});
