/**
 * sandbox-diff cases for the request and response objects' SDK surface (postman-collection): what a script
 * reads back after assigning to pm.request, the list methods on headers and query, auth parameter lists,
 * and the response helpers real collections call. Part of sandbox-diff-corpus.ts's CASES.
 */
import type { DiffCase } from "./sandbox-diff-corpus";

const t = (name: string, source: string, extra: Partial<DiffCase> = {}): DiffCase => ({
  name,
  source,
  ...extra,
});
const pre = (name: string, source: string, extra: Partial<DiffCase> = {}): DiffCase =>
  t(name, source, { event: "prerequest", ...extra });
/** The cases (see the file's comment). */
export const REQUEST_CASES: DiffCase[] = [
  pre(
    "url assigned a string",
    "pm.request.url = 'http://x.test/y?z=1'; console.log(typeof pm.request.url, String(pm.request.url), JSON.stringify(pm.request.url));",
  ),
  pre(
    "url assigned a string then sent",
    "pm.request.url = 'https://api.example.com/other/{{token}}?q=1'; console.log(JSON.stringify(pm.request.toJSON().url), pm.request.url.toString());",
  ),
  pre(
    "url assigned an object",
    "pm.request.url = { host: ['a', 'test'], path: ['p'], protocol: 'https' }; console.log(typeof pm.request.url, String(pm.request.url));",
  ),
];
