import { defineConfig } from "vitest/config";

export default defineConfig({
  test: {
    name: "node",
    include: ["test/node/**/*.test.ts"],
    globalSetup: ["test/setup/global-echo.ts"],
    testTimeout: 20_000,
  },
});
