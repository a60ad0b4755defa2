import { cloudflareTest } from "@cloudflare/vitest-plugin";
import { defineConfig } from "vitest/config";

export default defineConfig({
  plugins: [
    cloudflareTest(({ inject }) => ({
      wrangler: { configPath: "./wrangler.toml" },
      miniflare: {
        bindings: {
          TARGET: inject("targetUrl"),
          // Traces go to the echo target's recorder (bucket "otel"), like a local OTLP collector.
          OTEL_EXPORTER_OTLP_ENDPOINT: `${inject("targetUrl")}/hooks/otel`,
          TARGET_POLICY: "any",
          DEV_API_KEY: "edgerun-dev-key",
          ADMIN_TOKEN: "edgerun-test-admin",
          ENVIRONMENT: "test",
          CORS_ORIGINS: "https://app.example.com",
          // The fuzz test sends thousands of API calls from one key; quota behaviour has its own tests.
          API_RATE_LIMIT_PER_MINUTE: "100000",
          // SCRIPT_BACKEND=v8 runs the suite's scripts in dynamic V8 workers (the LOADER binding).
          SCRIPT_BACKEND: process.env.SCRIPT_BACKEND ?? "quickjs",
        },
      },
    })),
  ],
  test: {
    name: "workers",
    include: ["test/workers/**/*.test.ts"],
    globalSetup: ["test/setup/global-echo.ts"],
    testTimeout: 30_000,
    // CI gets one retry per failing test (vitest marks it "retry x1" in the log); locally a flake fails.
    retry: process.env.CI ? 1 : 0,
  },
});
