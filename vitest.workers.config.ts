import { cloudflareTest } from "@cloudflare/vitest-plugin";
import { defineConfig } from "vitest/config";

export default defineConfig({
  plugins: [
    cloudflareTest(({ inject }) => ({
      wrangler: { configPath: "./wrangler.toml" },
      miniflare: {
        bindings: {
          TARGET: inject("targetUrl"),
          TARGET_POLICY: "any",
          DEV_API_KEY: "edgerun-dev-key",
          ADMIN_TOKEN: "edgerun-test-admin",
          ENVIRONMENT: "test",
        },
      },
    })),
  ],
  test: {
    name: "workers",
    include: ["test/workers/**/*.test.ts"],
    globalSetup: ["test/setup/global-echo.ts"],
    testTimeout: 30_000,
  },
});
