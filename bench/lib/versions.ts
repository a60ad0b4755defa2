/** The versions a benchmark result depends on, recorded beside the numbers. */
import { execFileSync } from "node:child_process";
import { readFile } from "node:fs/promises";
import { join } from "node:path";

const ROOT = join(import.meta.dirname, "../..");

async function pkg(name: string): Promise<string> {
  try {
    const text = await readFile(join(ROOT, "node_modules", name, "package.json"), "utf8");
    return (JSON.parse(text) as { version: string }).version;
  } catch {
    return "unknown";
  }
}

/** Node, workerd, wrangler, miniflare, newman, and the git commit of the tree measured. */
export async function versions(): Promise<Record<string, string>> {
  let commit = "unknown";
  try {
    commit = execFileSync("git", ["rev-parse", "--short", "HEAD"], { cwd: ROOT, encoding: "utf8" }).trim();
  } catch {
    // not a checkout
  }
  return {
    node: process.version,
    workerd: await pkg("workerd"),
    wrangler: await pkg("wrangler"),
    miniflare: await pkg("miniflare"),
    newman: await pkg("newman"),
    edgerun: await pkg("../"),
    commit,
  };
}
