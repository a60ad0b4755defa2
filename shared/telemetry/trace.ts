/**
 * W3C Trace Context and OpenTelemetry spans encoded as OTLP/HTTP JSON — small enough to keep in one
 * module instead of pulling an SDK into the Worker. Pure: used by the Worker, the Durable Objects and
 * Node tests alike.
 */

/** A span's identity within a trace (ids are lower-case hex: 32 and 16 characters). */
export interface TraceContext {
  traceId: string;
  spanId: string;
  /** W3C trace flags; bit 0 = sampled. */
  flags: number;
  tracestate?: string | undefined;
}

export type AttributeValue = string | number | boolean;

export interface Span {
  traceId: string;
  spanId: string;
  parentSpanId?: string | undefined;
  name: string;
  /** OTLP SpanKind: 1 internal, 2 server, 3 client. */
  kind: 1 | 2 | 3;
  startMs: number;
  endMs: number;
  attributes: Record<string, AttributeValue | undefined>;
  /** OTLP status: 0 unset, 1 ok, 2 error. */
  status?: { code: 0 | 1 | 2; message?: string };
}

const HEX = /^[0-9a-f]+$/;

function randomHex(bytes: number): string {
  const buf = crypto.getRandomValues(new Uint8Array(bytes));
  return [...buf].map((b) => b.toString(16).padStart(2, "0")).join("");
}

export const newTraceId = (): string => randomHex(16);
export const newSpanId = (): string => randomHex(8);

/** Parses a `traceparent` header; null when absent or invalid (all-zero ids are invalid by spec). */
export function parseTraceparent(
  header: string | null | undefined,
  tracestate?: string | null,
): TraceContext | null {
  if (!header) return null;
  const m = /^([0-9a-f]{2})-([0-9a-f]{32})-([0-9a-f]{16})-([0-9a-f]{2})$/.exec(header.trim().toLowerCase());
  if (!m || m[1] === "ff") return null;
  const [, , traceId, spanId, flags] = m as unknown as [string, string, string, string, string];
  if (/^0+$/.test(traceId) || /^0+$/.test(spanId)) return null;
  return {
    traceId,
    spanId,
    flags: Number.parseInt(flags, 16),
    ...(tracestate && tracestate.length <= 512 ? { tracestate } : {}),
  };
}

/** The `traceparent` header value for a span. */
export function formatTraceparent(ctx: { traceId: string; spanId: string; flags?: number }): string {
  if (ctx.traceId.length !== 32 || ctx.spanId.length !== 16 || !HEX.test(ctx.traceId + ctx.spanId)) {
    throw new Error("invalid trace context");
  }
  return `00-${ctx.traceId}-${ctx.spanId}-${(ctx.flags ?? 1).toString(16).padStart(2, "0")}`;
}

function otlpValue(v: AttributeValue): Record<string, unknown> {
  if (typeof v === "boolean") return { boolValue: v };
  if (typeof v === "number") return Number.isInteger(v) ? { intValue: String(v) } : { doubleValue: v };
  return { stringValue: v };
}

const nanos = (ms: number) => `${BigInt(Math.round(ms * 1000)) * 1000n}`;

/** An OTLP/HTTP JSON `ExportTraceServiceRequest` body for spans of one service. */
export function encodeOtlp(spans: readonly Span[], resource: Record<string, AttributeValue>): string {
  const attrs = (a: Record<string, AttributeValue | undefined>) =>
    Object.entries(a)
      .filter((e): e is [string, AttributeValue] => e[1] !== undefined)
      .map(([key, value]) => ({ key, value: otlpValue(value) }));
  return JSON.stringify({
    resourceSpans: [
      {
        resource: { attributes: attrs(resource) },
        scopeSpans: [
          {
            scope: { name: "edgerun", version: "1" },
            spans: spans.map((s) => ({
              traceId: s.traceId,
              spanId: s.spanId,
              ...(s.parentSpanId ? { parentSpanId: s.parentSpanId } : {}),
              name: s.name,
              kind: s.kind,
              startTimeUnixNano: nanos(s.startMs),
              endTimeUnixNano: nanos(Math.max(s.endMs, s.startMs)),
              attributes: attrs(s.attributes),
              status: s.status ?? { code: 0 },
            })),
          },
        ],
      },
    ],
  });
}

/** Parses `OTEL_EXPORTER_OTLP_HEADERS` (`k=v,k2=v2`, values URL-encoded as the spec allows). */
export function parseOtlpHeaders(value: string | undefined): Record<string, string> {
  const out: Record<string, string> = {};
  for (const pair of (value ?? "").split(",")) {
    const i = pair.indexOf("=");
    if (i <= 0) continue;
    const key = pair.slice(0, i).trim();
    let v = pair.slice(i + 1).trim();
    try {
      v = decodeURIComponent(v);
    } catch {
      // keep the raw value
    }
    if (/^[A-Za-z0-9-]+$/.test(key)) out[key] = v;
  }
  return out;
}
