/**
 * One error type for the whole API, rendered as RFC 9457 problem+json by the app's single onError.
 */
import type * as z from "zod";
import { checkCollectionLimits, type LimitViolation } from "../shared/engine/limits";
import type { Problem } from "../shared/schemas/api";

export interface ProblemDetail {
  pointer: string;
  detail: string;
}

export class ProblemError extends Error {
  readonly status: number;
  readonly title: string;
  readonly type: string;
  readonly errors: ProblemDetail[] | undefined;
  readonly headers: Record<string, string>;

  constructor(
    status: number,
    title: string,
    detail?: string,
    extra: { type?: string; errors?: ProblemDetail[]; headers?: Record<string, string> } = {},
  ) {
    super(detail ?? title);
    this.status = status;
    this.title = title;
    this.type =
      extra.type ?? `https://edgerun.dev/problems/${title.toLowerCase().replace(/[^a-z0-9]+/g, "-")}`;
    this.errors = extra.errors;
    this.headers = extra.headers ?? {};
  }

  toProblem(instance?: string): Problem {
    return {
      type: this.type,
      title: this.title,
      status: this.status,
      detail: this.message,
      ...(instance ? { instance } : {}),
      ...(this.errors ? { errors: this.errors } : {}),
    };
  }
}

/** RFC 6901 JSON pointer from a zod issue path, so clients can point at the exact bad field. */
export function toPointer(path: ReadonlyArray<PropertyKey>): string {
  return path.map((p) => "/" + String(p).replace(/~/g, "~0").replace(/\//g, "~1")).join("");
}

/** Converts zod issues into problem details, capping the list so a huge bad document cannot produce a huge error. */
export function validationProblem(
  error: z.ZodError,
  prefix = "",
  title = "Invalid request body",
): ProblemError {
  const errors: ProblemDetail[] = [];
  const walk = (issues: z.core.$ZodIssue[], base: ReadonlyArray<PropertyKey>): void => {
    for (const issue of issues) {
      if (errors.length >= 50) return;
      const path = [...base, ...issue.path];
      if (issue.code === "invalid_union" && issue.errors.length > 0) {
        // Report the branch that got furthest: the most specific explanation for the user.
        const best = issue.errors.reduce((a, b) => (depth(b) > depth(a) ? b : a));
        walk(best, path);
        continue;
      }
      errors.push({ pointer: prefix + toPointer(path), detail: issue.message });
    }
  };
  walk(error.issues, []);
  return invalidInput(errors, title);
}

/** The 400 for a list of problems found by any validator (zod or semantic checks), capped at 50. */
export function invalidInput(errors: ProblemDetail[], title = "Invalid request body"): ProblemError {
  const capped = errors.slice(0, 50);
  return new ProblemError(
    400,
    title,
    `${capped.length} problem(s) found; see errors[] for each JSON pointer.`,
    {
      type: "https://edgerun.dev/problems/validation",
      errors: capped,
    },
  );
}

function depth(issues: z.core.$ZodIssue[]): number {
  return Math.max(0, ...issues.map((i) => i.path.length + (i.code === "invalid_union" ? 1 : 0)));
}

export const notFound = (what: string, id: string): ProblemError =>
  new ProblemError(404, "Not Found", `${what} '${id}' does not exist in this workspace.`, {
    type: "https://edgerun.dev/problems/not-found",
  });

/**
 * 413 naming every limit a document breaks, each with its JSON pointer (`prefix` places a nested
 * document's pointers in the request body, e.g. `/collection`). Nothing when it breaks none.
 */
export function refuseLimits(limits: readonly LimitViolation[], title: string, prefix = ""): void {
  if (limits.length === 0) return;
  throw new ProblemError(413, title, limits[0]!.message, {
    type: "https://edgerun.dev/problems/limit",
    errors: limits.map((l) => ({ pointer: `${prefix}${l.pointer}`, detail: l.message })),
  });
}

/**
 * The `preValidate` of the routes whose body may carry an inline `collection` (runs, monitors): its size
 * limits are checked before zod builds a parsed copy of it, with pointers under `/collection`.
 */
export function refuseLargeInlineCollection(body: unknown): void {
  const collection =
    body && typeof body === "object" ? (body as { collection?: unknown }).collection : undefined;
  if (!collection || typeof collection !== "object") return;
  refuseLimits(checkCollectionLimits(collection), "Collection Too Large", "/collection");
}
