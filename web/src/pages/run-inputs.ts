/**
 * Turning what the user gave the run page (pasted or dropped JSON, a stored collection, a data file,
 * option fields) into a `POST /v1/runs` body, with messages that say which input is wrong.
 */

export interface RunOptionsForm {
  iterationCount: string;
  region: string;
  delayRequest: string;
  timeoutRequest: string;
  parallel: string;
  bail: boolean;
}

export interface RunInputs {
  collectionText: string;
  collectionId: string;
  environmentText: string;
  environmentId: string;
  /** The data file's text and name (CSV is sent as text, JSON as an array). */
  data: { name: string; text: string } | null;
  options: RunOptionsForm;
}

export const REGIONS = ["auto", "wnam", "enam", "sam", "weur", "eeur", "apac", "oc", "afr", "me"] as const;

/** The bounds of each numeric option, `[min, max]`, as the API's `RunOptionsSchema` takes them. */
export const LIMITS = {
  iterationCount: [1, 10_000],
  delayRequest: [0, 60_000],
  timeoutRequest: [0, 300_000],
  parallel: [1, 6],
} as const satisfies Record<string, readonly [number, number]>;

export class InputError extends Error {
  override name = "InputError";
}

function parseJson(text: string, what: string): unknown {
  try {
    return JSON.parse(text) as unknown;
  } catch (error) {
    throw new InputError(`${what} is not valid JSON: ${(error as Error).message}`);
  }
}

function intOption(value: string, what: string, min: number, max: number): number | undefined {
  if (value.trim() === "") return undefined;
  const n = Number(value);
  if (!Number.isInteger(n) || n < min || n > max)
    throw new InputError(`${what} must be a whole number from ${min} to ${max}.`);
  return n;
}

/** Builds the request body for `POST /v1/runs`; throws InputError with a readable message. */
export function buildRunBody(inputs: RunInputs): Record<string, unknown> {
  const body: Record<string, unknown> = {};
  if (inputs.collectionId) body.collection = inputs.collectionId;
  else if (inputs.collectionText.trim()) body.collection = parseJson(inputs.collectionText, "The collection");
  else
    throw new InputError(
      "Load a collection first: open a file, drop one here, paste it or pick a stored one.",
    );
  if (inputs.environmentId) body.environment = inputs.environmentId;
  else if (inputs.environmentText.trim())
    body.environment = parseJson(inputs.environmentText, "The environment");
  if (inputs.data) {
    const text = inputs.data.text;
    const isJson = /\.json$/i.test(inputs.data.name) || /^\s*\[/.test(text);
    if (isJson) {
      const data = parseJson(text, "The data file");
      if (!Array.isArray(data)) throw new InputError("A JSON data file must hold an array of objects.");
      body.iterationData = data;
    } else body.iterationData = text;
  }
  const o = inputs.options;
  const options: Record<string, unknown> = {};
  const set = (key: string, value: unknown) => {
    if (value !== undefined) options[key] = value;
  };
  set("iterationCount", intOption(o.iterationCount, "Iterations", ...LIMITS.iterationCount));
  set("delayRequest", intOption(o.delayRequest, "Delay", ...LIMITS.delayRequest));
  set("timeoutRequest", intOption(o.timeoutRequest, "Request timeout", ...LIMITS.timeoutRequest));
  set("parallel", intOption(o.parallel, "Parallel iterations", ...LIMITS.parallel));
  if (o.region && o.region !== "auto") options.region = o.region;
  if (o.bail) options.bail = true;
  if (Object.keys(options).length > 0) body.options = options;
  return body;
}

/** The collection's name from pasted JSON, for the page heading; null when it does not parse. */
export function collectionName(text: string): string | null {
  try {
    const value = JSON.parse(text) as { info?: { name?: unknown }; name?: unknown };
    const name = value.info?.name ?? value.name;
    return typeof name === "string" ? name : null;
  } catch {
    return null;
  }
}
