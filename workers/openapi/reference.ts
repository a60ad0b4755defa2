/**
 * Renders the OpenAPI document as one readable HTML page (server-side, self-contained): every
 * operation with its parameters, request body schema, responses and problem types. The README's API
 * section is produced from the same renderer's Markdown twin (`renderMarkdown`), so the docs never drift.
 */
type Json = Record<string, unknown>;

interface Operation {
  summary?: string;
  description?: string;
  tags?: string[];
  security?: Array<Record<string, unknown>>;
  parameters?: Array<{ name: string; in: string; required?: boolean; description?: string; schema?: Json }>;
  requestBody?: { content: Record<string, { schema: Json }> };
  responses: Record<string, { description: string; content?: Record<string, { schema: Json }> }>;
}

const esc = (s: string) =>
  s.replace(/&/g, "&amp;").replace(/</g, "&lt;").replace(/>/g, "&gt;").replace(/"/g, "&quot;");

function operations(doc: Json): Array<{ method: string; path: string; op: Operation }> {
  const out: Array<{ method: string; path: string; op: Operation }> = [];
  for (const [path, ops] of Object.entries(doc.paths as Record<string, Record<string, Operation>>)) {
    for (const [method, op] of Object.entries(ops)) out.push({ method, path, op });
  }
  return out;
}

function schemaName(schema: Json | undefined): string {
  const ref = schema?.$ref;
  return typeof ref === "string" ? ref.split("/").pop()! : schema ? String(schema.type ?? "object") : "";
}

function paramType(schema: Json | undefined): string {
  if (!schema) return "";
  if (Array.isArray(schema.enum)) return schema.enum.map(String).join(" \\| ");
  return String(schema.type ?? "");
}

/** The HTML reference page. */
export function renderReference(doc: Json): string {
  const sections = operations(doc).map(({ method, path, op }) => {
    const id = `${method}-${path}`.replace(/[^a-z0-9]+/gi, "-");
    const params = (op.parameters ?? [])
      .map(
        (p) =>
          `<li><code>${esc(p.name)}</code> <small>(${esc(p.in)}${p.required ? ", required" : ""}${p.schema ? `, ${esc(paramType(p.schema))}` : ""})</small>${p.description ? ` — ${esc(p.description)}` : ""}</li>`,
      )
      .join("");
    const body = op.requestBody
      ? `<p>Body: <code>${esc(Object.keys(op.requestBody.content)[0]!)}</code> — <a href="#schema-${esc(schemaName(Object.values(op.requestBody.content)[0]!.schema))}">${esc(schemaName(Object.values(op.requestBody.content)[0]!.schema))}</a></p>`
      : "";
    const responses = Object.entries(op.responses)
      .map(([status, r]) => {
        const content = r.content ? Object.entries(r.content)[0] : undefined;
        return `<tr><td><code>${esc(status)}</code></td><td>${esc(r.description)}</td><td>${content ? `<code>${esc(content[0])}</code> ${esc(schemaName(content[1].schema))}` : ""}</td></tr>`;
      })
      .join("");
    const auth =
      op.security && op.security.length === 0
        ? "no auth"
        : op.security?.[0] && "adminToken" in op.security[0]
          ? "admin token"
          : "API key";
    return `<section id="${id}"><h3><span class="m ${esc(method)}">${esc(method.toUpperCase())}</span> <code>${esc(path)}</code></h3>
<p>${esc(op.summary ?? "")} <small>(${auth})</small></p>${op.description ? `<p>${esc(op.description)}</p>` : ""}
${params ? `<ul>${params}</ul>` : ""}${body}<table><thead><tr><th>status</th><th>meaning</th><th>content</th></tr></thead><tbody>${responses}</tbody></table></section>`;
  });
  const schemas = Object.entries(((doc.components as Json).schemas ?? {}) as Record<string, Json>)
    .filter(([name]) => !name.includes("_"))
    .map(
      ([name, schema]) =>
        `<details id="schema-${esc(name)}"><summary><code>${esc(name)}</code></summary><pre>${esc(JSON.stringify(schema, null, 2).slice(0, 20_000))}</pre></details>`,
    )
    .join("\n");
  const info = doc.info as { title: string; description: string };
  return `<!doctype html><html lang="en"><head><meta charset="utf-8"><meta name="viewport" content="width=device-width, initial-scale=1">
<title>${esc(info.title)} reference</title>
<style>body{font:15px/1.5 system-ui,sans-serif;max-width:64rem;margin:2rem auto;padding:0 1rem;color:#1c2230}
section{border-top:1px solid #ddd;padding:.5rem 0}td,th{padding:.2rem .6rem;border-bottom:1px solid #eee;text-align:left;vertical-align:top}
.m{display:inline-block;min-width:4.5rem;font:600 13px ui-monospace,monospace}.get{color:#0b6e4f}.post{color:#9a4d00}.put,.patch{color:#2450a6}.delete{color:#b42318}
pre{background:#f6f7f9;padding:.5rem;overflow:auto;max-height:30rem}a{color:#2450a6}</style></head><body>
<h1>${esc(info.title)}</h1><p>${esc(info.description)}</p>
<p>Authenticate with <code>Authorization: Bearer &lt;api key&gt;</code>. The machine-readable document is <a href="/openapi.json">/openapi.json</a>.</p>
<h2>Operations</h2>${sections.join("\n")}<h2>Schemas</h2>${schemas}</body></html>`;
}

/** The same reference as a Markdown table (the README's API section is generated from it). */
export function renderMarkdown(doc: Json): string {
  const rows = operations(doc).map(({ method, path, op }) => {
    const auth =
      op.security && op.security.length === 0
        ? "none"
        : op.security?.[0] && "adminToken" in op.security[0]
          ? "admin"
          : "key";
    const ok = Object.keys(op.responses)
      .filter((s) => Number(s) < 400)
      .join(", ");
    const query = (op.parameters ?? []).filter((p) => p.in === "query").map((p) => p.name);
    return `| \`${method.toUpperCase()} ${path}\`${query.length ? ` (${query.map((q) => `\`${q}\``).join(", ")})` : ""} | ${op.summary ?? ""} | ${auth} | ${ok} |`;
  });
  return ["| operation | meaning | auth | success |", "| --- | --- | --- | --- |", ...rows].join("\n");
}
