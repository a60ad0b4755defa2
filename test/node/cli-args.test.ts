/**
 * Newman command lines as CI jobs write them parse to the same run options (cli/args.ts,
 * cli/newman-argv.ts): reporter options in Newman's own shapes, `--bail` with its modifiers.
 */
import { describe, expect, it } from "vitest";
import { parseCommand, type RunArgs } from "../../cli/args";
import { bailStops, splitNewmanArgv } from "../../cli/newman-argv";

function args(...argv: string[]): RunArgs {
  const command = parseCommand(["run", "c.json", ...argv]);
  if (command.kind !== "run") throw new Error(`not a run: ${command.kind}`);
  return command.args;
}

describe("Newman's --bail [modifiers]", () => {
  it("stops for a bare --bail and for 'failure', not for 'folder' alone (newman/lib/run)", () => {
    expect(args("--bail").bail).toBe(true);
    expect(args("--bail", "failure").bail).toBe(true);
    expect(args("--bail", "folder,failure").bail).toBe(true);
    expect(args("--bail=failure").bail).toBe(true);
    expect(args("--bail", "folder").bail).toBe(false);
    expect(args().bail).toBe(false);
  });

  it("takes the next word as modifiers only when it is made of them", () => {
    expect(args("--bail", "-e", "env.json")).toMatchObject({ bail: true, environment: "env.json" });
    expect(() => parseCommand(["run", "--bail", "c.json", "extra"])).toThrow(/Unexpected argument 'extra'/);
    const bare = parseCommand(["run", "--bail", "c.json"]);
    expect(bare).toMatchObject({ kind: "run", args: { collection: "c.json", bail: true } });
    expect(bailStops(splitNewmanArgv(["--bail", "failure,folder"]).bail)).toBe(true);
  });
});

describe("Newman's --reporter-<name>-<option>", () => {
  it("reads export paths with a space or '=', and the cli reporter's switches", () => {
    const a = args(
      "-r",
      "cli,json,junit",
      "--reporter-json-export",
      "out/report.json",
      "--reporter-junit-export=out/junit.xml",
      "--reporter-cli-no-summary",
      "--reporter-cli-no-banner",
    );
    expect(a).toMatchObject({ jsonExport: "out/report.json", junitExport: "out/junit.xml", warnings: [] });
    expect(a.cli).toMatchObject({ noSummary: true, noBanner: true, noFailures: false });
  });

  it("never takes the word after a cli switch as its value", () => {
    const command = parseCommand(["run", "--reporter-cli-no-summary", "c.json"]);
    expect(command).toMatchObject({ kind: "run", args: { collection: "c.json" } });
  });

  it("runs `-r htmlextra` as the html report, with its export path, and names what it ignores", () => {
    const a = args(
      "-r",
      "cli,htmlextra",
      "--reporter-htmlextra-export",
      "report.html",
      "--reporter-htmlextra-title",
      "Nightly",
      "--reporter-htmlextra-darkTheme",
    );
    expect(a.reporters).toEqual(["cli", "html"]);
    expect(a.htmlExport).toBe("report.html");
    expect(a.warnings).toEqual([
      "-r htmlextra: edgerun writes its own html report in its place.",
      "ignoring --reporter-htmlextra-title: edgerun's reporters have no such option.",
      "ignoring --reporter-htmlextra-darkTheme: edgerun's reporters have no such option.",
    ]);
  });

  it("rejects an export option without a path", () => {
    expect(() => args("--reporter-json-export")).toThrow(/--reporter-json-export needs a file path/);
  });

  it("runs on without a reporter it does not have, as Newman does, and says so", () => {
    const a = args("-r", "cli,teamcity,junit");
    expect(a.reporters).toEqual(["cli", "junit"]);
    expect(a.warnings).toEqual([
      `could not find "teamcity" reporter; edgerun's reporters are cli, json, junit and html (htmlextra writes html).`,
    ]);
  });

  it("leaves words after -- alone", () => {
    const command = parseCommand(["run", "--", "--reporter-x.json"]);
    expect(command).toMatchObject({ kind: "run", args: { collection: "--reporter-x.json" } });
  });
});

describe("--export-collection", () => {
  it("is Newman's option", () => {
    expect(args("--export-collection", "out/c.json").exportCollection).toBe("out/c.json");
  });
});
