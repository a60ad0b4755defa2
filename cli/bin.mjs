#!/usr/bin/env node
// `edgerun` command: loads the TypeScript CLI through tsx (a dependency of this repo) and exits with its code.
// Node's on-disk compile cache roughly halves the start-up cost of loading wrangler's large bundle.
import module from "node:module";
import { register } from "tsx/esm/api";

module.enableCompileCache?.();
register();
const { main } = await import("./main.ts");
const code = await main(process.argv.slice(2));
process.exit(code);
