/**
 * JUnit XML that CI tools parse: reports built from real runs (engine + QuickJS sandbox against the echo
 * target) validate against test/fixtures/junit.xsd (the Jenkins/Surefire junit-10 rules, stricter on
 * classname/message/type) with xmllint-wasm; classname follows the folder path and times are seconds.
 */
import { readFile } from "node:fs/promises";
import { join } from "node:path";
import { describe, expect, inject, it } from "vitest";
import { parseStringPromise } from "xml2js";
import { validateXML } from "xmllint-wasm";
import { buildPlan } from "../../shared/engine/plan";
import { buildJUnitReport } from "../../shared/reporters/junit";
import type { Collection } from "../../shared/schemas/collection";
import { runEngine } from "../support/run-engine";

const FIXTURES = join(import.meta.dirname, "..", "fixtures");

async function junitOf(collection: unknown, iterationCount = 1): Promise<string> {
  const plan = buildPlan(
    {
      collection: collection as Collection,
      environment: { values: [{ key: "base", value: inject("targetUrl") }] },
      options: { iterationCount },
    },
    "run_junit",
  );
  const events = await runEngine(plan);
  return buildJUnitReport(events, { collection: { id: plan.collection.id, name: plan.collection.name } });
}

async function validate(xml: string): Promise<string[]> {
  const schema = await readFile(join(FIXTURES, "junit.xsd"), "utf8");
  const result = await validateXML({
    xml: [{ fileName: "report.xml", contents: xml }],
    schema: [{ fileName: "junit.xsd", contents: schema }],
  });
  return result.errors.map((e) => e.message);
}

const test = (...exec: string[]) => ({ listen: "test", script: { exec } });

const COLLECTION = {
  info: { name: "CI v1.2 <&>", _postman_id: "junit-ci" },
  item: [
    { name: "", request: { url: "{{base}}/get" }, event: [test("pm.test('unnamed works', () => {});")] },
    {
      name: "Folder A.b",
      item: [
        {
          name: "Sub",
          item: [
            {
              name: 'Get "quoted" & <tagged>',
              request: { url: "{{base}}/get" },
              event: [
                test(
                  "pm.test('passes', () => pm.response.to.have.status(200));",
                  "pm.test('fails', () => pm.expect(1).to.equal(2));",
                  "pm.test.skip('skipped', () => {});",
                ),
              ],
            },
          ],
        },
        { name: "Unreachable", request: { url: "http://127.0.0.1:1/" } },
        { name: "Script error", request: { url: "{{base}}/get" }, event: [test("nope();")] },
      ],
    },
  ],
};

interface Case {
  $: { name: string; classname: string; time: string };
  failure?: Array<{ $: { message: string; type: string } }>;
  error?: Array<{ $: { message: string; type: string } }>;
}
interface Suite {
  $: { name: string; time: string; tests: string; failures: string; errors: string };
  testcase?: Case[];
}

describe("JUnit report for CI parsers", () => {
  it("validates against the XSD, with folder-path classnames, seconds and typed failures", async () => {
    const xml = await junitOf(COLLECTION, 2);
    expect(await validate(xml)).toEqual([]);
    const doc = (await parseStringPromise(xml)) as { testsuites: { testsuite: Suite[] } };
    const suites = doc.testsuites.testsuite;
    expect(suites.map((s) => s.$.name)).toEqual([
      "(unnamed request)",
      'Folder A.b / Sub / Get "quoted" & <tagged>',
      "Folder A.b / Unreachable",
      "Folder A.b / Script error",
    ]);
    const cases = suites.flatMap((s) => s.testcase ?? []);
    expect([...new Set(cases.map((c) => c.$.classname))]).toEqual([
      "CI v1_2 <&>.(unnamed request)",
      'CI v1_2 <&>.Folder A_b.Sub.Get "quoted" & <tagged>',
      "CI v1_2 <&>.Folder A_b.Unreachable",
      "CI v1_2 <&>.Folder A_b.Script error",
    ]);
    for (const t of [...suites.map((s) => s.$.time), ...cases.map((c) => c.$.time)])
      expect(t).toMatch(/^\d+\.\d{3}$/);
    const failed = cases.find((c) => c.$.name === "fails");
    expect(failed?.failure?.[0]?.$).toEqual({ type: "AssertionFailure", message: "expected 1 to equal 2" });
    const request = cases.find((c) => c.$.classname.endsWith(".Unreachable"));
    expect(request?.$.name).toBe("request error");
    expect(request?.error?.[0]?.$.type).toBeTruthy();
    expect(request?.error?.[0]?.$.message).toBeTruthy();
    const script = cases.find((c) => c.$.name === "test script error");
    expect(script?.error?.[0]?.$).toMatchObject({ type: "ReferenceError" });
    expect(suites.find((s) => s.$.name.endsWith("Unreachable"))?.$.errors).toBe("2");
  });

  it.each(["compat", "compat2", "compat3", "compat5", "compat6", "compat8", "compat11", "compat14"])(
    "the %s fixture's report validates",
    async (name) => {
      const collection = JSON.parse(
        await readFile(join(FIXTURES, `${name}.postman_collection.json`), "utf8"),
      ) as unknown;
      expect(await validate(await junitOf(collection))).toEqual([]);
    },
  );

  it("the XSD does reject what CI parsers trip over (a testcase without classname, a failure without type)", async () => {
    const bad = `<?xml version="1.0"?><testsuites><testsuite name="s" tests="1" failures="1" errors="0"><testcase name="t"><failure message="m"/></testcase></testsuite></testsuites>`;
    const errors = await validate(bad);
    expect(errors.join("\n")).toMatch(/classname/);
    expect(errors.join("\n")).toMatch(/type/);
  });
});
