#!/usr/bin/env node
// `npm start`: the whole stack on workerd via `wrangler dev` with local SQLite persistence under .wrangler/,
// configured with the local development workspace (`dev`, key `edgerun-dev-key`, admin token `edgerun-dev-admin`).
import { spawn, spawnSync } from "node:child_process";

const port = process.env.PORT ?? "8787";
const policy = process.env.TARGET_POLICY ?? "any";
for (const script of ["scripts/build-sandbox-libs.mjs", "scripts/build-web.mjs"]) {
  const build = spawnSync(process.execPath, [script], { stdio: "inherit" });
  if (build.status !== 0) process.exit(build.status ?? 1);
}

const args = [
  "dev",
  "--ip",
  process.env.HOST ?? "127.0.0.1",
  "--port",
  port,
  "--persist-to",
  ".wrangler/state",
  "--var",
  "DEV_API_KEY:edgerun-dev-key",
  "--var",
  "ADMIN_TOKEN:edgerun-dev-admin",
  "--var",
  `TARGET_POLICY:${policy}`,
  "--var",
  "ENVIRONMENT:development",
  "--show-interactive-dev-session=false",
];
console.log(
  `edgerun: starting on http://127.0.0.1:${port} (TARGET_POLICY=${policy}, API key: edgerun-dev-key)`,
);
const child = spawn("wrangler", args, {
  stdio: "inherit",
  env: { ...process.env, WRANGLER_SEND_METRICS: "false" },
});
for (const sig of ["SIGINT", "SIGTERM"]) process.on(sig, () => child.kill(sig));
child.on("exit", (code) => process.exit(code ?? 0));
