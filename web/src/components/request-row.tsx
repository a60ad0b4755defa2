/**
 * One request of a run: a single table row whose name cell holds an expandable <details> with the
 * request, the response, every assertion message and the console output (no extra rows, so the table
 * keeps exactly one row per request).
 */
import { memo } from "preact/compat";
import { useState } from "preact/hooks";
import { formatBytes, formatMs } from "../format";
import type { RequestRow } from "../run-model";

function Headers(props: { list: Array<{ key: string; value: string }> }) {
  if (props.list.length === 0) return <p class="muted">No headers.</p>;
  return (
    <dl class="headers">
      {props.list.map((h, i) => (
        <div key={i}>
          <dt>{h.key}</dt>
          <dd>{h.value}</dd>
        </div>
      ))}
    </dl>
  );
}

function Details(props: { row: RequestRow }) {
  const e = props.row.event;
  return (
    <div class="details-body">
      <h4>Request</h4>
      <p class="mono break">
        {e.request.method} {e.request.url}
      </p>
      {/* A disabled header of the definition was not sent. */}
      <Headers list={e.request.headers.filter((h) => !h.disabled)} />
      {e.request.body ? <pre class="body">{e.request.body}</pre> : null}
      <h4>Response</h4>
      {e.response ? (
        <>
          <p class="mono">
            {e.response.code} {e.response.status} · {formatMs(e.response.timeMs)} ·{" "}
            {formatBytes(e.response.size)}
          </p>
          <Headers list={e.response.headers} />
          <pre class="body">
            {e.response.bodyPreview}
            {e.response.bodyTruncated ? "\n…" : ""}
          </pre>
        </>
      ) : (
        <p class="fail">
          {e.error ? `${e.error.name}: ${e.error.message}` : e.skipped ? "Skipped" : "No response"}
        </p>
      )}
      <h4>Assertions</h4>
      {e.assertions.length === 0 ? (
        <p class="muted">No assertions.</p>
      ) : (
        <ul class="assertions">
          {e.assertions.map((a, i) => (
            <li key={i} class={a.skipped ? "muted" : a.passed ? "pass" : "fail"}>
              {a.skipped ? "– " : a.passed ? "✔ " : "✘ "}
              {a.name}
              {a.error ? <span class="why">: {a.error.message}</span> : null}
            </li>
          ))}
        </ul>
      )}
      {e.scriptErrors.length > 0 && (
        <>
          <h4>Script errors</h4>
          <ul class="assertions">
            {e.scriptErrors.map((s, i) => (
              <li key={i} class="fail">
                {s.location} ({s.event}): {s.name}: {s.message}
              </li>
            ))}
          </ul>
        </>
      )}
      {e.console.length > 0 && (
        <>
          <h4>Console</h4>
          <pre class="console">{e.console.map((c) => `[${c.level}] ${c.message}`).join("\n")}</pre>
        </>
      )}
    </div>
  );
}

function statusClass(code: number | undefined): string {
  if (code === undefined) return "fail";
  return code >= 400 ? "warn" : "pass";
}

/** Memoised: rows never change once received, so a live run re-renders only the new ones. */
export const RequestRowView = memo(function RequestRowView(props: { row: RequestRow }) {
  const { row } = props;
  // The details are built only once opened: a 5,000-request run keeps a light DOM.
  const [open, setOpen] = useState(false);
  const e = row.event;
  return (
    <tr class={row.bad ? "bad" : undefined}>
      <td class="num">{row.index}</td>
      <td class="method">{e.request.method}</td>
      <td class="name">
        <details onToggle={(e) => setOpen((e.currentTarget as HTMLDetailsElement).open)}>
          <summary>
            <span class="item-name">{e.item.name}</span>
            {e.item.path.length > 1 ? (
              <span class="muted path"> · {e.item.path.slice(0, -1).join(" / ")}</span>
            ) : null}
            {e.resent ? <span class="tag">resent</span> : null}
          </summary>
          {open ? <Details row={row} /> : null}
        </details>
      </td>
      <td class={`status ${statusClass(e.response?.code)}`}>
        {e.response ? e.response.code : e.skipped ? "skipped" : "error"}
      </td>
      <td class="time">{e.response ? formatMs(e.response.timeMs) : "–"}</td>
      <td class="size">{e.response ? formatBytes(e.response.size) : "–"}</td>
      <td class="asserts">
        <span class="pass" title="passed">
          {row.passed}
        </span>
        {" / "}
        <span class={row.failed ? "fail" : "muted"} title="failed">
          {row.failed}
        </span>
      </td>
    </tr>
  );
});
