/**
 * How a rejected request is shown: the problem+json title and detail, then one line per JSON pointer
 * the server named, so the user sees which field of the collection or form is wrong.
 */
import { ApiError } from "../api";

export interface Problem {
  message: string;
  details: string[];
  /** The HTTP status of an API rejection (0: network), absent for input checks. */
  status?: number;
}

/** Turns anything thrown by an API call or an input check into a displayable problem. */
export function toProblem(error: unknown): Problem {
  if (error instanceof ApiError) {
    return {
      message: `${error.title}: ${error.message}`,
      details: error.errors.map((x) => `${x.pointer || "/"} — ${x.detail}`),
      status: error.status,
    };
  }
  return { message: error instanceof Error ? error.message : String(error), details: [] };
}

export function ProblemBox(props: { problem: Problem | null; wide?: boolean }) {
  const { problem } = props;
  if (!problem) return null;
  return (
    <div role="alert" class={props.wide ? "error wide" : "error"}>
      <p>{problem.message}</p>
      {problem.details.length > 0 && (
        <ul>
          {problem.details.map((d) => (
            <li key={d}>{d}</li>
          ))}
        </ul>
      )}
    </div>
  );
}
