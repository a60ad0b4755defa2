#!/usr/bin/env node
// Bundles the sandbox prelude and the libraries scripts may require() into shared/sandbox/generated/.
// (Filled in by the sandbox work; a no-op until the prelude exists.)
import { mkdirSync } from "node:fs";

mkdirSync(new URL("../shared/sandbox/generated/", import.meta.url), { recursive: true });
