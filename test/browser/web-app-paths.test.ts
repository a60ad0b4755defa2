/**
 * The web app's remaining user paths (issue 14, round 2), on the real stack: loading a collection by
 * drag and drop, keyboard-only operation of the run page, creating / editing / deleting a monitor
 * through its form (checked through the API), and a failing monitor's verdict in the list and history.
 */
import { join } from "node:path";
import type { Page } from "playwright-core";
import { describe, expect, it, vi } from "vitest";
import type { Monitor, MonitorRunList } from "../../shared/schemas/monitors";
import { collection, open, SHOTS, session, summary, useSession } from "./session";

useSession();

const api = (path: string, init?: RequestInit) => session.stack.api(path, init);

/** The focused element's accessible bits and whether its focus ring is drawn. */
async function focused(page: Page): Promise<{ tag: string; id: string; text: string; ring: boolean }> {
  return (await page.evaluate(`(() => {
    const el = document.activeElement;
    const style = getComputedStyle(el);
    return {
      tag: el.tagName.toLowerCase(),
      id: el.id,
      text: (el.textContent || "").trim(),
      ring: style.outlineStyle !== "none" && parseFloat(style.outlineWidth) > 0,
    };
  })()`)) as { tag: string; id: string; text: string; ring: boolean };
}

/** Presses Tab until `done` holds for the focused element (at most 40 times), checking each focus ring. */
async function tabUntil(page: Page, done: (f: Awaited<ReturnType<typeof focused>>) => boolean) {
  for (let i = 0; i < 40; i++) {
    await page.keyboard.press("Tab");
    const f = await focused(page);
    expect(f.ring, `focus ring on <${f.tag}> "${f.text.slice(0, 40)}"`).toBe(true);
    if (done(f)) return f;
  }
  throw new Error("Tab never reached the element");
}

describe("web app paths", () => {
  it("loads a collection dropped on the drop zone and runs it", async () => {
    const { page, errors } = await open("/");
    const text = JSON.stringify(collection("Dropped smoke", 2, 0));
    // A real DataTransfer carrying a File, as the browser builds one for a dragged file.
    const transfer = await page.evaluateHandle(`(() => {
      const dt = new DataTransfer();
      dt.items.add(new File([${JSON.stringify(text)}], "dropped.postman_collection.json", { type: "application/json" }));
      return dt;
    })()`);
    const zone = page.locator(".drop");
    await zone.dispatchEvent("dragenter", { dataTransfer: transfer });
    await zone.dispatchEvent("dragover", { dataTransfer: transfer });
    await expect.poll(() => zone.getAttribute("class")).toContain("dragging");
    await zone.dispatchEvent("drop", { dataTransfer: transfer });
    const textarea = page.getByLabel("Collection", { exact: true });
    await expect.poll(() => textarea.inputValue()).toBe(text);
    expect(await page.getByRole("status").first().textContent()).toContain(
      "Loaded dropped.postman_collection.json",
    );
    expect(await zone.getAttribute("class")).not.toContain("dragging");
    await page.getByRole("button", { name: "Run in cloud" }).click();
    await expect.poll(() => summary(page).textContent(), { timeout: 20_000 }).toContain("2 passed");
    expect(errors).toEqual([]);
    await page.close();
  });

  it("runs a pasted collection with the keyboard alone, every focus visible", async () => {
    await session.context.grantPermissions(["clipboard-read", "clipboard-write"], {
      origin: session.stack.url,
    });
    const { page, errors } = await open("/");
    const text = JSON.stringify(collection("Keyboard smoke", 2, 0));
    await page.evaluate(`navigator.clipboard.writeText(${JSON.stringify(text)})`);
    await page.locator("body").focus();
    await tabUntil(page, (f) => f.id === "collection");
    await page.keyboard.press("ControlOrMeta+V");
    await expect.poll(() => page.getByLabel("Collection", { exact: true }).inputValue()).toBe(text);
    await tabUntil(page, (f) => f.tag === "button" && f.text === "Run in cloud");
    await page.screenshot({ path: join(SHOTS, "run-keyboard-focus.png") });
    await page.keyboard.press("Enter");
    await expect.poll(() => summary(page).textContent(), { timeout: 20_000 }).toContain("2 passed");
    expect(errors).toEqual([]);
    await page.close();
  });

  it("lists a run's first 100 failures only once the list is opened", async () => {
    const { page, errors } = await open("/");
    const body = {
      info: { name: "Many failures" },
      item: [
        {
          name: "Fails 120 times",
          request: { method: "GET", url: `${session.target}/get` },
          event: [
            {
              listen: "test",
              script: {
                exec: ["for (let i = 0; i < 120; i++) pm.test('check ' + i, () => pm.expect(i).to.eql(-1));"],
              },
            },
          ],
        },
      ],
    };
    await page.getByLabel("Collection", { exact: true }).fill(JSON.stringify(body));
    await page.getByRole("button", { name: "Run in cloud" }).click();
    await expect.poll(() => summary(page).textContent(), { timeout: 20_000 }).toContain("120 failed");
    // Not by colour alone: the badge says the run completed with failures.
    await expect.poll(() => summary(page).locator(".badge").textContent()).toBe("Completed with failures");
    const list = summary(page).locator("details.failures");
    expect(await list.locator("summary").textContent()).toBe("120 failure(s)");
    expect(await list.locator("li").count()).toBe(0); // closed: not built
    await list.locator("summary").click();
    await expect.poll(() => list.locator("li").count()).toBe(100);
    expect(await list.textContent()).toContain("… and 20 more");
    expect(errors).toEqual([]);
    await page.close();
  });

  it("creates a monitor through the form, edits it and deletes it after confirming", async () => {
    const { page, errors } = await open("/monitors");
    await page.getByRole("button", { name: "New monitor" }).click();
    const form = page.getByRole("form", { name: "New monitor" });
    await form.getByLabel("Name", { exact: true }).fill("Form-made monitor");
    await form.getByLabel("Collection (JSON)").fill(JSON.stringify(collection("Form smoke", 1, 0)));
    await form.getByLabel("Schedule").selectOption("interval");
    await form.getByLabel("Interval (seconds)").fill("600");
    await form.getByRole("checkbox", { name: "auto" }).uncheck();
    await form.getByRole("checkbox", { name: "weur" }).check();
    await form.getByRole("button", { name: "Add notification" }).click();
    const target = form.getByRole("group", { name: "Notification 1" });
    await target.getByRole("combobox", { name: "Type" }).selectOption("webhook");
    await target.getByLabel("URL", { exact: true }).fill(`${session.target}/post`);
    await form.getByRole("checkbox", { name: "Active" }).uncheck();
    await form.getByRole("button", { name: "Create monitor" }).click();
    await vi.waitFor(() => expect(page.url()).toMatch(/\/monitors\/[^/]+$/), { timeout: 10_000 });
    const id = decodeURIComponent(new URL(page.url()).pathname.split("/").at(-1)!);
    const created = (await (await api(`/v1/monitors/${encodeURIComponent(id)}`)).json()) as Monitor;
    expect(created).toMatchObject({
      name: "Form-made monitor",
      active: false,
      schedule: { intervalSeconds: 600 },
      regions: ["weur"],
      notifications: [{ type: "webhook", url: `${session.target}/post` }],
    });

    await page.getByRole("button", { name: "Edit" }).click();
    const edit = page.getByRole("form", { name: "Edit monitor" });
    await edit.getByLabel("Name", { exact: true }).fill("Form-made monitor (renamed)");
    await edit.getByLabel("Interval (seconds)").fill("900");
    await edit.getByRole("button", { name: "Save monitor" }).click();
    await expect
      .poll(() => page.getByRole("heading", { level: 1 }).textContent())
      .toContain("Form-made monitor (renamed)");
    const edited = (await (await api(`/v1/monitors/${encodeURIComponent(id)}`)).json()) as Monitor;
    expect(edited).toMatchObject({
      name: "Form-made monitor (renamed)",
      schedule: { intervalSeconds: 900 },
      regions: ["weur"],
      notifications: [{ url: `${session.target}/post` }],
    });
    expect(edited.notifications).toHaveLength(1);

    // Dismissing the confirmation keeps the monitor; accepting it deletes it.
    const messages: string[] = [];
    page.once("dialog", (d) => {
      messages.push(d.message());
      void d.dismiss();
    });
    await page.getByRole("button", { name: "Delete" }).click();
    await expect.poll(() => messages.length).toBe(1);
    expect(messages[0]).toContain('Delete the monitor "Form-made monitor (renamed)"?');
    expect((await api(`/v1/monitors/${encodeURIComponent(id)}`)).status).toBe(200);
    page.once("dialog", (d) => void d.accept());
    await page.getByRole("button", { name: "Delete" }).click();
    await vi.waitFor(() => expect(new URL(page.url()).pathname).toBe("/monitors"), { timeout: 10_000 });
    expect((await api(`/v1/monitors/${encodeURIComponent(id)}`)).status).toBe(404);
    expect(errors).toEqual([]);
    await page.close();
  });

  it("keeps every notification target when a monitor is edited, and edits the whole list", async () => {
    const hook = `${session.target}/post`;
    const slack = `${session.target}/anything/slack`;
    const res = await api("/v1/monitors", {
      method: "POST",
      body: JSON.stringify({
        name: "Two targets",
        collection: collection("Two targets", 1, 0),
        schedule: { intervalSeconds: 3600 },
        active: false,
        notifications: [
          { type: "webhook", url: hook, secret: "s3cret-signing-key" },
          { type: "slack", url: slack, on: ["failure"] },
        ],
      }),
    });
    expect(res.status).toBe(201);
    const created = (await res.json()) as Monitor;
    const path = `/v1/monitors/${encodeURIComponent(created.id)}`;
    const get = async () => (await (await api(path)).json()) as Monitor;

    const { page, errors } = await open(`/monitors/${created.id}`);
    await page.getByRole("button", { name: "Edit" }).click();
    const edit = page.getByRole("form", { name: "Edit monitor" });
    const target = (n: number) => edit.getByRole("group", { name: `Notification ${n}` });
    // The form shows every stored target, not only the first.
    expect(await target(1).getByLabel("URL", { exact: true }).inputValue()).toBe(hook);
    expect(
      await target(1)
        .getByLabel(/Signing secret/)
        .inputValue(),
    ).toBe("");
    expect(await target(1).textContent()).toContain("one is stored");
    expect(await target(2).getByRole("combobox", { name: "Type" }).inputValue()).toBe("slack");
    expect(await target(2).getByLabel("URL", { exact: true }).inputValue()).toBe(slack);
    expect(await target(2).getByRole("checkbox", { name: "failure" }).isChecked()).toBe(true);
    expect(await target(2).getByRole("checkbox", { name: "recovery" }).isChecked()).toBe(false);

    // Renaming only leaves both targets (ids, the stored secret, the Slack target's events) as they were.
    await edit.getByLabel("Name", { exact: true }).fill("Two targets (renamed)");
    await edit.getByRole("button", { name: "Save monitor" }).click();
    await expect.poll(() => page.getByRole("heading", { level: 1 }).textContent()).toContain("(renamed)");
    const renamed = await get();
    expect(renamed.name).toBe("Two targets (renamed)");
    expect(renamed.notifications).toEqual(created.notifications);
    expect(renamed.notifications).toMatchObject([
      { type: "webhook", url: hook, hasSecret: true, on: ["failure", "recovery"] },
      { type: "slack", url: slack, hasSecret: false, on: ["failure"] },
    ]);

    // Removing one target and adding another changes only those; the webhook keeps its secret.
    await page.getByRole("button", { name: "Edit" }).click();
    await edit.getByRole("button", { name: "Remove notification 2" }).click();
    await expect.poll(() => target(2).count()).toBe(0);
    await edit.getByRole("button", { name: "Add notification" }).click();
    await target(2).getByLabel("URL", { exact: true }).fill(`${session.target}/anything/new`);
    await target(2).getByRole("checkbox", { name: "failure" }).uncheck();
    await edit.getByRole("button", { name: "Save monitor" }).click();
    // The form closes once saved (a rejection would keep it open with its reason: shown if so).
    await expect
      .poll(async () => (await edit.count()) === 0 || (await edit.getByRole("alert").allTextContents()))
      .toBe(true);
    const edited = await get();
    expect(edited.notifications).toHaveLength(2);
    expect(edited.notifications[0]).toEqual(created.notifications[0]);
    expect(edited.notifications[1]).toMatchObject({
      type: "webhook",
      url: `${session.target}/anything/new`,
      on: ["recovery"],
      hasSecret: false,
    });
    expect(errors).toEqual([]);
    await page.close();
  });

  it("shows a monitor whose test fails as failing, with a failed mark in its sparkline and history", async () => {
    const res = await api("/v1/monitors", {
      method: "POST",
      body: JSON.stringify({
        name: "Always failing",
        collection: collection("Always failing", 1, 0, { fail: true }),
        schedule: { intervalSeconds: 3600 },
        active: true,
      }),
    });
    expect(res.status).toBe(201);
    const { id } = (await res.json()) as Monitor;
    const path = `/v1/monitors/${encodeURIComponent(id)}`;
    // An active interval monitor runs at once. The run ends `completed` (its assertion failed): wait until the monitor has recorded its verdict.
    await vi.waitFor(
      async () => {
        const m = (await (await api(path)).json()) as Monitor;
        expect(m.summary.recent.at(-1)).toMatchObject({ status: "completed", passed: false });
      },
      { timeout: 30_000, interval: 500 },
    );
    const runs = (await (await api(`${path}/runs`)).json()) as MonitorRunList;
    expect(runs.runs[0]).toMatchObject({ status: "completed", passed: false });
    expect(((await (await api(path)).json()) as Monitor).state.status).toBe("failing");

    const { page, errors } = await open("/monitors");
    const row = page.getByRole("row").filter({ has: page.getByRole("link", { name: "Always failing" }) });
    await row.waitFor({ timeout: 15_000 });
    expect(await row.locator(".badge").textContent()).toBe("failing");
    expect(await row.locator("svg.spark circle.failed").count()).toBe(1);
    expect(await row.getByRole("img").getAttribute("aria-label")).toContain("1 failed");
    expect(await row.locator("td a.fail").count()).toBe(1); // the last run's link
    await page.screenshot({ path: join(SHOTS, "monitors-failing.png"), fullPage: true });

    await row.getByRole("link", { name: "Always failing" }).click();
    const history = page.getByRole("table", { name: "Run history" });
    const first = history.locator("tbody > tr").first();
    await first.waitFor({ timeout: 15_000 });
    expect(await first.locator("td.fail").first().textContent()).toBe("failed");
    expect(await first.textContent()).toContain("0/1");
    expect(errors).toEqual([]);
    await page.close();
  });
});
