/**
 * `npm start`'s fd limit (scripts/fd-limit.mjs): a long-lived local stack keeps 3 files per recently used
 * Durable Object, so wrangler and its workerd start with the soft limit raised to the hard one. Real
 * shells: the command runs under a soft limit lowered to 256, and reports the limit it got.
 */
import { execFileSync } from "node:child_process";
import { describe, expect, it } from "vitest";
// @ts-expect-error: a plain .mjs script without types
import { withRaisedFdLimit } from "../../scripts/fd-limit.mjs";

const raise = withRaisedFdLimit as (command: string, args: string[]) => [string, string[]];
const limit = (flag: "-Sn" | "-Hn") =>
  execFileSync("/bin/sh", ["-c", `ulimit ${flag}`], { encoding: "utf8" }).trim();

/** Runs `command args` through the wrapper from a shell whose soft limit is `soft`; returns its stdout. */
function under(soft: string, command: string, args: string[]): string {
  const [cmd, cmdArgs] = raise(command, args);
  return execFileSync("/bin/sh", ["-c", `ulimit -Sn ${soft}; exec "$@"`, "sh", cmd, ...cmdArgs], {
    encoding: "utf8",
  }).trim();
}

describe.skipIf(process.platform === "win32")("withRaisedFdLimit", () => {
  const hard = limit("-Hn");
  const expected = hard === "unlimited" || Number(hard) > 65536 ? "65536" : hard;

  it("raises a low soft limit to the hard one (at most 65536) for the command", () => {
    expect(under("256", "/bin/sh", ["-c", "ulimit -Sn"])).toBe(expected);
  });

  it("passes the arguments through unchanged, spaces and quotes included", () => {
    expect(under("256", "/bin/sh", ["-c", 'printf "%s|" "$@"', "sh", "a b", "'c'", ""])).toBe("a b|'c'||");
  });

  it("leaves a soft limit that is already the hard one alone", () => {
    expect(under(hard === "unlimited" ? "unlimited" : hard, "/bin/sh", ["-c", "ulimit -Sn"])).toBe(
      hard === "unlimited" ? "unlimited" : hard,
    );
  });
});
