#!/usr/bin/env node
// `npm start`: the whole stack on workerd via `wrangler dev` with local SQLite persistence under .wrangler/,
// configured with the local development workspace (`dev`, key `edgerun-dev-key`, admin token `edgerun-dev-admin`).
import { spawn, spawnSync } from "node:child_process";
import { withRaisedFdLimit } from "./fd-limit.mjs";

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
  // Where the local SQLite lives. On a disk whose fsync is slow, every run's commit waits for it
  // (bench/README.md): PERSIST_TO=/dev/shm/edgerun keeps it in memory, surviving restarts, not reboots.
  process.env.PERSIST_TO ?? ".wrangler/state",
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
// OpenTelemetry export and log level pass through from the environment, like TARGET_POLICY.
for (const name of [
  "OTEL_EXPORTER_OTLP_ENDPOINT",
  "OTEL_EXPORTER_OTLP_HEADERS",
  "LOG_LEVEL",
  "CORS_ORIGINS",
  "SCRIPT_BACKEND",
]) {
  if (process.env[name]) args.push("--var", `${name}:${process.env[name]}`);
}
console.log(
  `edgerun: starting on http://127.0.0.1:${port} (TARGET_POLICY=${policy}, API key: edgerun-dev-key)`,
);
// Wrangler and its workerd get the soft fd limit raised to the hard one (a long-lived stack: fd-limit.mjs).
const [command, commandArgs] = withRaisedFdLimit("wrangler", args);
// Offline-friendly: wrangler would fetch Request.cf from the internet (and print a stack without it).
const child = spawn(command, commandArgs, {
  stdio: "inherit",
  env: { ...process.env, WRANGLER_SEND_METRICS: "false", CLOUDFLARE_CF_FETCH_ENABLED: "false" },
});
// The development echo target (the README's first example uses it); `ECHO_PORT=0` turns it off.
const echoPort = process.env.ECHO_PORT ?? "8788";
const echo =
  echoPort === "0"
    ? null
    : spawn(process.execPath, ["--import", "tsx", "scripts/dev-echo.ts"], {
        stdio: "inherit",
        env: { ...process.env, ECHO_PORT: echoPort },
      });
for (const sig of ["SIGINT", "SIGTERM"]) {
  process.on(sig, () => {
    child.kill(sig);
    echo?.kill(sig);
  });
}
child.on("error", (err) => {
  console.error(`edgerun: could not start wrangler (${err.message}); run it through \`npm start\``);
  echo?.kill("SIGTERM");
  process.exit(1);
});
child.on("exit", (code) => {
  // 127: the shell found no wrangler (not on PATH outside npm scripts).
  if (code === 127) console.error("edgerun: could not start wrangler; run it through `npm start`");
  echo?.kill("SIGTERM");
  process.exit(code ?? 0);
});
