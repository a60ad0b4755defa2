#!/usr/bin/env node
// `edgerun` command: loads the TypeScript CLI through tsx (a dependency of this repo) and exits with its code.
import { register } from "tsx/esm/api";

register();
const { main } = await import("./main.ts");
const code = await main(process.argv.slice(2));
process.exit(code);
