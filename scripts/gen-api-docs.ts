/**
 * Writes the README's API table from the OpenAPI document (`npm run docs:api`), so the README documents
 * the API the Worker actually serves. `test/node/openapi.test.ts` fails when the README is stale.
 */
import { readFileSync, writeFileSync } from "node:fs";
import { apiMarkdown, formatReadme, replaceApiSection } from "../workers/openapi/readme";

const path = new URL("../README.md", import.meta.url);
const before = readFileSync(path, "utf8");
const after = formatReadme(replaceApiSection(before, apiMarkdown()));
if (after !== before) writeFileSync(path, after);
console.log(after === before ? "README API section is current" : "README API section updated");
