/**
 * What every browser test file shares: one real stack per file (started in `beforeAll`), a browser
 * context, and page helpers that record console errors so each test can assert there were none.
 */
import { mkdir } from "node:fs/promises";
import { join } from "node:path";
import type { BrowserContext, Page } from "playwright-core";
import { afterAll, beforeAll, expect, inject } from "vitest";
import { API_KEY, type Stack, startStack } from "./stack";

export const SHOTS = join(import.meta.dirname, "..", "..", "test-results", "browser");

/** The file's stack, context and echo target, set once `useSession()`'s `beforeAll` has run. */
export const session = {} as { stack: Stack; context: BrowserContext; target: string };

/** Registers the hooks that start the stack before a file's tests and stop it after them. */
export function useSession(): void {
  beforeAll(async () => {
    session.target = inject("targetUrl");
    await mkdir(SHOTS, { recursive: true });
    session.stack = await startStack();
    session.context = await session.stack.browser.newContext({ viewport: { width: 1280, height: 900 } });
  }, 90_000);
  afterAll(async () => {
    await session.stack?.stop();
  });
}

/** A collection of `n` requests to the echo target, each with one assertion (failing when `fail`). */
export function collection(name: string, n: number, delayMs: number, opts: { fail?: boolean } = {}) {
  const status = opts.fail ? 201 : 200;
  return {
    info: { name, schema: "https://schema.getpostman.com/json/collection/v2.1.0/collection.json" },
    item: Array.from({ length: n }, (_, i) => ({
      name: `Request ${i + 1}`,
      request: { method: "GET", url: `${session.target}/delay/${delayMs}?i=${i + 1}` },
      event: [
        {
          listen: "test",
          script: {
            exec: [`pm.test('status is ${status}', () => pm.response.to.have.status(${status}));`],
          },
        },
      ],
    })),
  };
}

/** Records console errors and uncaught exceptions of `page` into `errors`. */
export function recordErrors(page: Page, errors: string[] = []): string[] {
  page.on("console", (msg) => {
    if (msg.type() === "error") errors.push(msg.text());
  });
  page.on("pageerror", (err) => errors.push(String(err)));
  return errors;
}

/** Opens a page (an app path, or an absolute URL) that records console errors and uncaught exceptions. */
export async function open(
  path: string,
  opts: { width?: number; signIn?: boolean } = {},
): Promise<{ page: Page; errors: string[] }> {
  const page = await session.context.newPage();
  if (opts.width) await page.setViewportSize({ width: opts.width, height: 800 });
  const errors = recordErrors(page);
  const external = path.startsWith("http");
  await page.goto(external ? path : `${session.stack.url}${path}`, { waitUntil: "domcontentloaded" });
  if (!external && opts.signIn !== false) {
    // Tests stay independent of their order: sign in here when no earlier test stored the key.
    await page.getByRole("navigation", { name: "Main" }).waitFor();
    if (await page.getByRole("dialog", { name: "API key" }).isVisible()) await signIn(page);
  }
  return { page, errors };
}

/** Fills in and saves the API key dialog. */
export async function signIn(page: Page): Promise<void> {
  const dialog = page.getByRole("dialog", { name: "API key" });
  await dialog.getByLabel("API key").fill(API_KEY);
  await dialog.getByRole("button", { name: "Save key" }).click();
  await expect.poll(() => dialog.isVisible()).toBe(false);
}

export const rows = (page: Page) => page.getByRole("table", { name: "Requests" }).locator("tbody > tr");
export const summary = (page: Page) => page.getByRole("region", { name: "Summary" });

/** Pastes `body` into the collection field and presses "Run in cloud". */
export async function startRun(page: Page, body: unknown): Promise<void> {
  await page.getByLabel("Collection", { exact: true }).fill(JSON.stringify(body));
  await page.getByRole("button", { name: "Run in cloud" }).click();
}
