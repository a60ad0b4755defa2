/**
 * Differential test against Newman's own sandbox: every script of sandbox-diff-corpus.ts runs in the real
 * postman-sandbox (4.7, from node_modules, fed the context postman-runtime builds) and in the QuickJS host
 * with the same request, response, scopes and cursor. The normalised outcomes must be equal: assertions
 * in order (name, passed, skipped, error name and message), console lines (level and values), the
 * script's error, the variable scopes and the request afterwards. A case marked `known` documents a
 * deliberate difference and must still differ (so a fixed difference loses its mark).
 */
import { createRequire } from "node:module";
import { inspect } from "node:util";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import "../../shared/sandbox/quickjs-module.node";
import type {
  RequestDefinition,
  ScriptCapabilities,
  ScriptContext,
  VarEntry,
} from "../../shared/engine/types";
import { QuickJSScriptHost } from "../../shared/sandbox/quickjs-host";
import { CASES, type DiffCase, type Full, type Vars, withDefaults } from "./sandbox-diff-corpus";

interface SandboxContext {
  on(event: string, fn: (cursor: { execution?: string }, ...args: unknown[]) => void): void;
  removeAllListeners(event: string): void;
  execute(
    event: object,
    opts: Record<string, unknown>,
    done: (err: { name?: string; message?: string } | null, result: Record<string, unknown>) => void,
  ): void;
  dispose(): void;
}
interface SdkUrl {
  toString(): string;
}
const load = createRequire(import.meta.url);
const Sandbox = load("postman-sandbox") as {
  createContext(opts: object, done: (err: unknown, ctx: SandboxContext) => void): void;
};
const sdk = load("postman-collection") as { Url: new (u: unknown) => SdkUrl };

/** What both sandboxes are compared on. */
interface Outcome {
  assertions: { name: string; passed: boolean; skipped: boolean; error?: string }[];
  console: string[];
  error?: string;
  scopes: Record<string, Vars>;
  request: { method: string; url: string; headers: string[]; body?: string };
  /** setNextRequest's target (`null` stops the run) and whether the script skipped its request. */
  next?: string | null;
  skip: boolean;
  /** Newman's CLI text of each console line (reported, not compared: see the docs' "What differs"). */
  cliConsole: string[];
}

const caps: ScriptCapabilities = {
  sendRequest: async () => ({ error: { name: "Error", message: "no network here" } }),
  cookieJar: { getAll: () => [], set: () => undefined, unset: () => undefined, clear: () => undefined },
};

/** A console value as edgerun's console writes it: strings as they are, other values as JSON. */
function value(a: unknown): string {
  if (typeof a === "string") return a;
  if (a === undefined || typeof a === "number" || typeof a === "symbol" || typeof a === "bigint")
    return String(a);
  try {
    return JSON.stringify(a) ?? String(a);
  } catch {
    return String(a);
  }
}

/** Newman's CLI reporter: each value through util.inspect under its options (no TTY), joined by ", ". */
function cliText(args: unknown[]): string {
  return args
    .map((a) => inspect(a, { depth: 25, maxArrayLength: 100, colors: false, breakLength: 44 }))
    .join(", ");
}

const list = (vars: Vars) => Object.entries(vars).map(([key, value]) => ({ key, value, type: "any" }));
const pairs = (h: [string, string][]) => h.map(([key, value]) => ({ key, value }));
function scopeMap(entries: readonly { key: string; value: unknown; disabled?: boolean }[] | undefined): Vars {
  const out: Vars = {};
  for (const e of entries ?? []) if (!e.disabled) out[e.key] = e.value as Vars[string];
  return out;
}
const errorText = (e: { name?: string; message?: string }) => `${e.name}: ${e.message}`;

let sandbox: SandboxContext;
let host: QuickJSScriptHost;
let seq = 0;

/** The case in postman-sandbox, with the execution context and options postman-runtime passes. */
function newman(c: Full): Promise<Outcome> {
  const id = `diff-${++seq}`;
  const out: Outcome = {
    assertions: [],
    console: [],
    cliConsole: [],
    scopes: {},
    request: undefined as never,
    skip: false,
  };
  const mine = (cursor: { execution?: string }) => cursor.execution === id;
  sandbox.on("console", (cursor, level, ...args) => {
    if (!mine(cursor)) return;
    out.console.push(`${level}: ${args.map(value).join(" ")}`);
    out.cliConsole.push(`${level}: ${cliText(args)}`);
  });
  sandbox.on("execution.assertion", (cursor, list) => {
    if (!mine(cursor)) return;
    // Newman's reporter: an error without a name is an AssertionError, without a message the test's name.
    for (const a of list as {
      name: string;
      passed: boolean;
      skipped: boolean;
      error?: { name?: string; message?: string };
    }[])
      out.assertions.push({
        name: a.name,
        passed: a.passed,
        skipped: a.skipped,
        ...(a.passed ? {} : { error: `${a.error?.name ?? "AssertionError"}: ${a.error?.message ?? a.name}` }),
      });
  });
  sandbox.on(`execution.skipRequest.${id}`, () => {
    out.skip = true;
  });
  const { request: rq, response: rs } = c;
  const context = {
    globals: { values: list(c.globals) },
    collectionVariables: { values: list(c.collection) },
    environment: { values: list(c.env) },
    _variables: { values: list(c.local) },
    data: c.data,
    request: {
      url: rq.url,
      method: rq.method,
      header: pairs(rq.headers),
      ...(rq.body === undefined ? {} : { body: { mode: "raw", raw: rq.body } }),
      ...(rq.auth ? { auth: rq.auth } : {}),
    },
    ...(c.event === "test"
      ? {
          response: {
            code: rs.code,
            status: rs.status,
            header: pairs(rs.headers),
            stream: { type: "Buffer", data: [...Buffer.from(rs.body)] },
            responseTime: rs.responseTime,
          },
        }
      : {}),
  };
  return new Promise((resolve) => {
    sandbox.execute(
      { listen: c.event, script: { exec: c.source } },
      {
        id,
        timeout: 5000,
        cursor: { iteration: 0, cycles: 1 },
        context,
        legacy: {
          _itemName: "Get user",
          _itemId: "item-1",
          _itemPath: ["C", "Get user"],
          _eventItemName: "Get user",
        },
      },
      (err, result) => {
        for (const e of [
          "console",
          "execution.assertion",
          `execution.error.${id}`,
          `execution.skipRequest.${id}`,
        ])
          sandbox.removeAllListeners(e);
        // postman-runtime keeps an asynchronous error (a timer's, an unhandled rejection's: the
        // sandbox's execution.error event) only under --bail; `newman run` neither fails nor prints it.
        if (err) out.error = errorText(err);
        const ret = result?.return as { nextRequest?: string | null } | undefined;
        if (ret && "nextRequest" in ret) out.next = ret.nextRequest ?? null;
        const scope = (k: string) => scopeMap((result?.[k] as { values?: VarEntry[] } | undefined)?.values);
        out.scopes = {
          globals: scope("globals"),
          collection: scope("collectionVariables"),
          environment: scope("environment"),
          local: scope("_variables"),
        };
        const req = result?.request as
          | {
              method: string;
              url: unknown;
              header?: { key: string; value: string; disabled?: boolean }[];
              body?: { raw?: string };
            }
          | undefined;
        out.request = {
          method: req?.method ?? "",
          url: new sdk.Url(req?.url).toString(),
          headers: (req?.header ?? []).filter((h) => !h.disabled).map((h) => `${h.key}: ${h.value}`),
          ...(req?.body?.raw === undefined ? {} : { body: req.body.raw }),
        };
        resolve(out);
      },
    );
  });
}

const vars = (v: Vars): VarEntry[] => Object.entries(v).map(([key, value]) => ({ key, value, type: "any" }));

/** The same case in the QuickJS host, with the engine's script context. */
async function ours(c: Full): Promise<Outcome> {
  const { request: rq, response: rs } = c;
  const context: ScriptContext = {
    info: {
      eventName: c.event,
      iteration: 0,
      iterationCount: 1,
      requestName: "Get user",
      requestId: "item-1",
    },
    scopes: {
      globals: vars(c.globals),
      collection: vars(c.collection),
      environment: vars(c.env),
      data: c.data,
      local: vars(c.local),
    },
    // The prelude parses a URL given as text (contract.ts PreludeInput).
    request: {
      method: rq.method,
      url: rq.url as unknown as RequestDefinition["url"],
      headers: pairs(rq.headers),
      ...(rq.body === undefined ? {} : { body: { mode: "raw", raw: rq.body } }),
      ...(rq.auth ? { auth: rq.auth } : {}),
    },
    ...(c.event === "test"
      ? {
          response: {
            code: rs.code,
            status: rs.status,
            headers: pairs(rs.headers),
            body: rs.body,
            responseSize: rs.body.length,
            responseTime: rs.responseTime,
          },
        }
      : {}),
    cookies: [],
    location: ["C", "Get user"],
    collectionName: "C",
  };
  const r = await host.run(
    { source: c.source, location: "request:Get user", context, timeoutMs: 5000 },
    caps,
  );
  const req = r.request;
  // The prelude's request comes back with its text as `raw`; an unchanged one is the input (text).
  const url = typeof req.url === "string" ? req.url : (req.url.raw ?? new sdk.Url(req.url).toString());
  return {
    assertions: r.assertions.map((a) => ({
      name: a.name,
      passed: a.passed,
      skipped: a.skipped,
      ...(a.error ? { error: errorText(a.error) } : {}),
    })),
    console: r.console.map((e) => `${e.level}: ${e.message}`),
    cliConsole: [],
    skip: r.skipRequest,
    ...(r.nextRequest ? { next: r.nextRequest.target } : {}),
    ...(r.error ? { error: errorText(r.error) } : {}),
    scopes: {
      globals: scopeMap(r.scopes.globals),
      collection: scopeMap(r.scopes.collection),
      environment: scopeMap(r.scopes.environment),
      local: scopeMap(r.scopes.local),
    },
    request: {
      method: req.method,
      url,
      headers: req.headers.filter((h) => !h.disabled).map((h) => `${h.key}: ${h.value}`),
      ...(req.body?.raw === undefined ? {} : { body: req.body.raw }),
    },
  };
}

// An async pm.test that fails leaves a rejection nobody handles in postman-sandbox (Newman's process dies
// of it): kept away from vitest while this file runs.
const vitestListeners = process.listeners("unhandledRejection");
beforeAll(async () => {
  process.removeAllListeners("unhandledRejection");
  process.on("unhandledRejection", () => undefined);
  host = new QuickJSScriptHost({});
  sandbox = await new Promise<SandboxContext>((resolve, reject) =>
    Sandbox.createContext({}, (err, ctx) => (err ? reject(err) : resolve(ctx))),
  );
});
const tally = { agree: 0, known: 0, cli: 0 };
afterAll(() => {
  sandbox.dispose();
  process.removeAllListeners("unhandledRejection");
  for (const l of vitestListeners) process.on("unhandledRejection", l);
  console.log(
    `sandbox-diff: ${tally.agree}/${CASES.length} agree, ${tally.known} known differences; Newman's CLI console text equal in ${tally.cli}`,
  );
});

describe("our sandbox against postman-sandbox (Newman 6.2.2)", () => {
  for (const raw of CASES as DiffCase[]) {
    it(raw.name, async () => {
      const c = withDefaults(raw);
      const theirs = await newman(c);
      const mine = await ours(c);
      if (theirs.cliConsole.join("\n") === mine.console.join("\n")) tally.cli++;
      const { cliConsole: _a, ...want } = theirs;
      const { cliConsole: _b, ...got } = mine;
      if (raw.known) {
        expect(got, `documented difference: ${raw.known}`).not.toEqual(want);
        tally.known++;
      } else {
        expect(got).toEqual(want);
        tally.agree++;
      }
    });
  }
});
