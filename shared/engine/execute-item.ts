/**
 * Executes one collection item the way postman-runtime does: pre-request scripts (collection → folders →
 * request), variable resolution, auth, send, then test scripts in the same order. Pure data in, data out:
 * the runner decides what happens next.
 */
import type { AssertionResult, ConsoleEntry, RequestCompletedEvent, ScriptError } from "../schemas/events";
import { abortedError, lazyLink, type SharedTimer, sleep } from "./abort";
import type { CookieJar } from "./cookie-jar";
import type { ItemNode, ScriptRef } from "./normalize";
import {
  BODY_PREVIEW_BYTES,
  failedWith,
  isRetryable,
  normalizeScriptRequest,
  retryDelay,
  sendDefinition,
} from "./send-definition";
import {
  listedHeaders,
  safeCookies,
  safeUrl,
  sentRequest,
  toEventResponse,
  truncateUtf8,
} from "./sent-request";
import { type ScriptCalls, SideRequestLog } from "./side-requests";
import type {
  Fetcher,
  JsonValue,
  ProtocolProfile,
  RequestDefinition,
  ResponseData,
  Scopes,
  ScriptCapabilities,
  ScriptContext,
  ScriptHost,
  ScriptOutcome,
  TargetCheck,
} from "./types";
import { parseUrl } from "./url";
import { makeResolver } from "./variables";

const MAX_CONSOLE_PER_ITEM = 200;

export interface ItemDeps {
  fetch: Fetcher;
  /** The fetcher sends `FetchHooks.wire` (custom methods, GET/HEAD bodies), as the platform's does. */
  wire?: boolean | undefined;
  checkTarget: TargetCheck;
  scripts: ScriptHost | undefined;
  now(): number;
  random(): number;
  /**
   * Aborts the run's in-flight work: the request's fetch and body read, pending `pm.sendRequest` calls
   * and retry backoff. The aborted request still yields its request.completed event, with an
   * `AbortError` and no response; remaining scripts of the item are skipped.
   */
  signal?: AbortSignal | undefined;
  /** The owner's shared timer for request timeouts (`SharedTimer`; the owner disposes it). */
  timer?: SharedTimer | undefined;
}

export interface ItemSettings {
  iteration: number;
  iterationCount: number;
  collectionName: string;
  timeoutRequest?: number | undefined;
  timeoutScript?: number | undefined;
  ignoreRedirects?: boolean | undefined;
  insecure?: boolean | undefined;
  /** Extra attempts on network errors, 5xx and 429 (exponential backoff with jitter, Retry-After honoured). */
  retry?: number | undefined;
  /**
   * `--bail`: as postman-runtime's `stopOnFailure`, the item stops at its first failing script (an
   * error or a failed assertion: its phase's later scripts do not run), a failing pre-request phase
   * sends no request, and a request error runs no test scripts.
   */
  bail?: boolean | undefined;
}

export interface AttemptRecord {
  attempt: number;
  code?: number;
  error?: string;
  delayMs: number;
}

export interface ItemResult {
  scopes: Scopes;
  cookies: CookieJar;
  event: Omit<RequestCompletedEvent, "v" | "runId" | "ts" | "type">;
  nextRequest?: { target: string | null };
  response?: ResponseData;
  requestError: boolean;
  scriptCounts: { prerequest: number; test: number; prerequestFailed: number; testFailed: number };
  /** `pm.sendRequest` calls made by this item's scripts, and how many failed (Newman counts them as requests). */
  sideRequests: { total: number; failed: number };
}

/** Runs one item; never throws for anything a collection or a target can do. */
export async function executeItem(
  item: ItemNode,
  scopesIn: Scopes,
  jar: CookieJar,
  settings: ItemSettings,
  deps: ItemDeps,
): Promise<ItemResult> {
  // Kept as given (never mutated: the hosts work on a serialised copy, and a script's changes come back
  // as new lists), so a script that writes no variable leaves the caller the very same lists.
  let scopes: Scopes = scopesIn.local ? scopesIn : { ...scopesIn, local: [] };
  // Never mutated here (each change makes a new object; the script hosts work on a serialised copy).
  let request: RequestDefinition = item.request;
  const assertions: AssertionResult[] = [];
  const consoleOut: ConsoleEntry[] = [];
  const scriptErrors: ScriptError[] = [];
  let nextRequest: { target: string | null } | undefined;
  /** The last request a test script asked for next (Newman's CLI announces it). */
  let announcedNext: string | undefined;
  let skipRequest = false;
  /** Under `bail`, a script of this item failed: nothing after it runs. */
  let bailed = false;
  let visualizer: { template: string; data: JsonValue } | undefined;
  const counts = { prerequest: 0, test: 0, prerequestFailed: 0, testFailed: 0 };
  const profile: ProtocolProfile = {
    ...item.profile,
    ...(settings.ignoreRedirects ? { followRedirects: false } : {}),
  };

  const side = new SideRequestLog();
  // Built for the item's first script, shared by the rest (most items run one or two).
  let cookieJar: ScriptCapabilities["cookieJar"] | undefined;
  const jarCaps = (): ScriptCapabilities["cookieJar"] => {
    cookieJar ??= {
      getAll: (url) => jar.cookiesFor(url),
      set: (url, cookie) => jar.set(url, cookie),
      unset: (url, name) => jar.unset(url, name),
      clear: (url) => jar.clear(url),
    };
    return cookieJar;
  };
  let location: string[] | undefined;
  /** `pm.sendRequest` for one script: its fetches end with the script's signal (script timeout). */
  const capsFor = (signal: () => AbortSignal, calls: ScriptCalls): ScriptCapabilities => ({
    sendRequest: async (req) => {
      const call = side.start(calls);
      const def: RequestDefinition =
        typeof req === "string"
          ? { method: "GET", url: parseUrl(req), headers: [] }
          : normalizeScriptRequest(req);
      // A request without a URL is refused before sending (still a failed request), as every request
      // is: sendDefinition's URL check answers postman-runtime's "request url is empty".
      const result = await sendDefinition(def, (s) => s, jar, profile, settings, {
        ...deps,
        signal: signal(),
      });
      side.record(calls, call, result);
      return result.response ? { response: result.response } : { error: failedWith(result) };
    },
    cookieJar: jarCaps(),
  });

  const runScripts = async (
    event: "prerequest" | "test",
    refs: ScriptRef[],
    response?: ResponseData,
  ): Promise<void> => {
    for (const ref of refs) {
      if (deps.signal?.aborted) break;
      counts[event] += 1;
      if (!deps.scripts) {
        counts[event === "prerequest" ? "prerequestFailed" : "testFailed"] += 1;
        scriptErrors.push({
          name: "SandboxUnavailable",
          message: "no script host is configured",
          event,
          location: ref.location,
        });
        continue;
      }
      const timeoutMs = settings.timeoutScript ?? 5000;
      // The script timeout also ends the fetches of the script's pm.sendRequest calls (the signal is
      // made by the first call: most scripts send none).
      const scriptSignal = lazyLink(deps.signal, {
        timeoutMs: timeoutMs > 0 ? timeoutMs : undefined,
        now: deps.now,
      });
      location ??= [settings.collectionName, ...item.path, item.name];
      const context: ScriptContext = {
        info: {
          eventName: event,
          iteration: settings.iteration,
          iterationCount: settings.iterationCount,
          requestName: item.name,
          requestId: item.id,
        },
        scopes,
        request,
        cookies: safeCookies(jar, request, scopes),
        location,
        collectionName: settings.collectionName,
      };
      if (response) context.response = response;
      const calls = side.script(event);
      const outcome: ScriptOutcome = await deps.scripts.run(
        { source: ref.source, location: ref.location, timeoutMs, context },
        capsFor(scriptSignal.signal, calls),
      );
      // Bounded even if run() threw: the timer fires at most timeoutMs later.
      scriptSignal.end();
      // A script that wrote no variable (did not build pm.request) hands back the objects it was given.
      if (outcome.scopes !== scopes) scopes = { ...outcome.scopes, data: scopes.data };
      // Scripts cannot change the description; a sandbox that does not hand it back keeps it.
      if (outcome.request !== request)
        request =
          request.description !== undefined && outcome.request.description === undefined
            ? { ...outcome.request, description: request.description }
            : outcome.request;
      const before = assertions.length;
      const consoleBefore = consoleOut.length;
      for (const a of outcome.assertions) assertions.push({ ...a, event });
      for (const entry of outcome.console)
        if (consoleOut.length < MAX_CONSOLE_PER_ITEM)
          consoleOut.push({
            level: entry.level,
            message: entry.message,
            ...(entry.args ? { args: entry.args } : {}),
            event,
            afterAssertions: before + Math.min(entry.afterAssertions ?? 0, outcome.assertions.length),
          });
      side.place(calls, outcome.sideRequests, {
        offset: { afterAssertions: before, afterConsole: consoleBefore },
        end: { afterAssertions: assertions.length, afterConsole: consoleOut.length },
      });
      if (outcome.error) {
        counts[event === "prerequest" ? "prerequestFailed" : "testFailed"] += 1;
        scriptErrors.push({
          ...outcome.error,
          event,
          location: ref.location,
          afterAssertions: assertions.length,
          afterConsole: consoleOut.length,
        });
      }
      if (outcome.nextRequest) nextRequest = outcome.nextRequest;
      if (event === "test" && outcome.nextRequest?.target) announcedNext = outcome.nextRequest.target;
      if (outcome.skipRequest && event === "prerequest") skipRequest = true;
      if (outcome.visualizer) visualizer = outcome.visualizer;
      if (settings.bail && (outcome.error || outcome.assertions.some((a) => !a.passed && !a.skipped)))
        bailed = true;
      if (skipRequest || bailed) break;
    }
  };

  const prerequestStarted = deps.now();
  await runScripts("prerequest", item.prerequest);
  const prerequestMs = deps.now() - prerequestStarted;

  const base = {
    iteration: settings.iteration,
    item: { id: item.id, name: item.name, path: item.path },
  };
  if (skipRequest || bailed) {
    return {
      scopes,
      cookies: jar,
      requestError: false,
      scriptCounts: counts,
      sideRequests: { total: side.total, failed: side.failed },
      ...(nextRequest ? { nextRequest } : {}),
      event: {
        ...base,
        request: { method: request.method, url: safeUrl(request, scopes), headers: [] },
        skipped: true,
        assertions,
        console: consoleOut,
        scriptErrors,
        scripts: { prerequest: counts.prerequest, test: 0 },
        ...sideFields(side),
      },
    };
  }

  const resolve = makeResolver(scopes);
  const retries: AttemptRecord[] = [];
  let result = await sendDefinition(request, resolve, jar, profile, settings, deps);
  // Body warnings (a file that could not be loaded) go to the request's console, as Newman's do.
  for (const message of result.warnings ?? [])
    if (consoleOut.length < MAX_CONSOLE_PER_ITEM)
      consoleOut.push({ level: "warn", message, args: [message] });
  for (let attempt = 1; attempt <= (settings.retry ?? 0) && isRetryable(result); attempt++) {
    const delayMs = retryDelay(attempt, result, deps.random);
    retries.push({
      attempt,
      ...(result.response ? { code: result.response.code } : {}),
      ...(result.error ? { error: `${result.error.name}: ${result.error.message}` } : {}),
      delayMs,
    });
    await sleep(delayMs, deps.signal);
    if (deps.signal?.aborted) {
      const { response: _dropped, ...rest } = result;
      result = { ...rest, error: abortedError(deps.signal) };
      break;
    }
    result = await sendDefinition(request, resolve, jar, profile, settings, deps);
  }
  side.total += result.authRequests ?? 0;
  // Test scripts see the request as it was sent (variables resolved, auth and system headers added),
  // as postman-runtime hands it to them (nothing else reads it past this point).
  const listed = listedHeaders(result.sent, { request, resolve });
  if (item.test.length) request = sentRequest(request, result, resolve, listed);
  const testStarted = deps.now();
  if (!(settings.bail && result.error)) await runScripts("test", item.test, result.response);
  const testMs = deps.now() - testStarted;

  const sent = result.sent;
  return {
    scopes,
    cookies: jar,
    requestError: result.error !== undefined,
    scriptCounts: counts,
    sideRequests: { total: side.total, failed: side.failed },
    ...(nextRequest ? { nextRequest } : {}),
    ...(result.response ? { response: result.response } : {}),
    event: {
      ...base,
      request: {
        method: sent.method,
        url: sent.url,
        headers: listed.headers,
        ...(listed.system ? { systemHeaders: listed.system } : {}),
        ...(typeof sent.body === "string" && sent.body
          ? { body: truncateUtf8(sent.body, BODY_PREVIEW_BYTES) }
          : {}),
      },
      ...(result.response ? { response: toEventResponse(result.response) } : {}),
      ...(result.error ? { error: result.error } : {}),
      assertions,
      console: consoleOut,
      scriptErrors,
      scripts: { prerequest: counts.prerequest, test: counts.test },
      timings: {
        waitMs: 0,
        totalMs: result.timings.totalMs,
        prerequestMs,
        testMs,
        ...(result.timings.headersMs !== undefined ? { headersMs: result.timings.headersMs } : {}),
      },
      ...(retries.length ? { attempts: retries.length + 1, retries } : {}),
      ...(visualizer ? { visualizer } : {}),
      ...(announcedNext ? { nextRequest: announcedNext } : {}),
      ...(result.authRequests ? { authRequests: result.authRequests } : {}),
      ...sideFields(side),
    },
  };
}

/** The event's side-request lists, each absent when empty. */
function sideFields(side: SideRequestLog) {
  return {
    ...(side.failures.length ? { sideRequestFailures: side.failures } : {}),
    ...(side.listed.length ? { sideRequests: side.listed } : {}),
  };
}
