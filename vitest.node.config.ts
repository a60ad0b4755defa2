import { defineConfig } from "vitest/config";

export default defineConfig({
  test: {
    name: "node",
    include: ["test/node/**/*.test.ts"],
    globalSetup: ["test/setup/global-echo.ts"],
    testTimeout: 20_000,
    // CI gets one retry per failing test (vitest marks it "retry x1" in the log); locally a flake fails.
    retry: process.env.CI ? 1 : 0,
  },
});
