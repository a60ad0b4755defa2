// What a failed pm.sendRequest hands its callback. In Newman the error is Node's, carried over the
// sandbox bridge: only its own enumerable fields arrive, so the callback gets a plain object, not an
// Error — `{ errno: -111, code: 'ECONNREFUSED', syscall: 'connect', address: '127.0.0.1', port: 1 }`,
// without `name`, `message` or `stack` (`String(err)` is '[object Object]'); an empty URL's error is `{}`.
// The engine words a failure as Newman does where it can tell the kind (engine/request-error.ts), and
// the same table reads the fields back here as for the JSON report's `requestError`.
import { nodeErrorFields, type RequestFailure } from "../../engine/request-error";

/**
 * The error object a script's pm.sendRequest callback gets for `failure`, shaped as Newman's: Node's
 * fields for a connection failure or a timeout (edgerun's default timeout too: the callback reads
 * `code`), `{}` for an empty URL. A reason Newman has no Node error for (edgerun's target policy, a
 * limit, a platform error that does not tell its kind) keeps its `name` and `message` as fields.
 */
export function scriptSendError(failure: RequestFailure): Record<string, unknown> {
  if (failure.name === "TimeoutError") return { code: "ESOCKETTIMEDOUT", connect: false };
  return nodeErrorFields(failure) ?? { name: failure.name, message: failure.message };
}
