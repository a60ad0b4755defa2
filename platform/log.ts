/**
 * Structured JSON logs: one object per line with a level, and the ids that tie a line to its context
 * (request, workspace, run, monitor, trace) whenever the line concerns them, so Workers Logs or
 * `wrangler tail` can be filtered by any of them. `LOG_LEVEL` (debug|info|warn|error, default info)
 * is read once per isolate. Fields are ours (ids, counts, statuses, error messages): never pass a
 * request's headers, bodies or variable values here.
 */
export type LogFields = Record<string, string | number | boolean | null | undefined>;
export type LogLevel = "debug" | "info" | "warn" | "error";

const ORDER: Record<LogLevel, number> = { debug: 10, info: 20, warn: 30, error: 40 };
let threshold = ORDER.info;

/** Whether a line at `level` is written (to skip building one that would not be). */
export function logs(level: LogLevel): boolean {
  return ORDER[level] >= threshold;
}

/** Sets the minimum level (called once with the parsed configuration). */
export function setLogLevel(level: LogLevel): void {
  threshold = ORDER[level];
}

function write(level: LogLevel, msg: string, fields: LogFields): void {
  if (ORDER[level] < threshold) return;
  const line = JSON.stringify({ level, msg, time: new Date().toISOString(), ...fields });
  if (level === "error") console.error(line);
  else if (level === "warn") console.warn(line);
  else console.log(line);
}

export interface Logger {
  debug(msg: string, fields?: LogFields): void;
  info(msg: string, fields?: LogFields): void;
  warn(msg: string, fields?: LogFields): void;
  error(msg: string, fields?: LogFields): void;
  /** A logger whose lines all carry `fields` (e.g. `{ runId, workspaceId, traceId }`). */
  with(fields: LogFields): Logger;
}

function logger(base: LogFields): Logger {
  // The level is checked before the fields are merged: a line below the threshold costs nothing.
  const at =
    (level: LogLevel) =>
    (msg: string, fields: LogFields = {}) => {
      if (ORDER[level] >= threshold) write(level, msg, { ...base, ...fields });
    };
  return {
    debug: at("debug"),
    info: at("info"),
    warn: at("warn"),
    error: at("error"),
    with: (fields) => logger({ ...base, ...fields }),
  };
}

export const log: Logger = logger({});
