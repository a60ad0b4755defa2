/**
 * The monitor form's notification targets: the whole list, one row per webhook or Slack target (add,
 * remove, URL, events, write-only signing secret). `PATCH /v1/monitors/{id}` replaces the whole list,
 * so the form always edits every target the monitor has and sends the list only when it changed.
 */
import type { Monitor, NotificationEvent } from "../../../shared/schemas/monitors";

/** At most this many targets: a copy of the API's `MAX_NOTIFICATIONS` (its module would bundle zod). */
export const MAX_NOTIFICATIONS = 10;
const EVENTS: NotificationEvent[] = ["failure", "recovery"];

export interface NotificationRow {
  /** Local render key (stable while rows are added and removed). */
  key: number;
  /** The stored target's id: on PATCH it keeps the stored secret when no new one is typed. */
  id: string | null;
  type: "webhook" | "slack";
  url: string;
  on: NotificationEvent[];
  /** A new secret; empty keeps the stored one (the API never sends a secret back). */
  secret: string;
  /** The stored target has a secret. */
  hasSecret: boolean;
  /** The stored target's URL (the API keeps the secret only while the URL stays the same). */
  storedUrl: string | null;
}

let nextKey = 1;

/** A new, empty webhook target. */
export function newRow(): NotificationRow {
  return {
    key: nextKey++,
    id: null,
    type: "webhook",
    url: "",
    on: [...EVENTS],
    secret: "",
    hasSecret: false,
    storedUrl: null,
  };
}

/** The monitor's targets as form rows (none for a new monitor). */
export function rowsOf(monitor: Monitor | null): NotificationRow[] {
  return (monitor?.notifications ?? []).map((n) => ({
    key: nextKey++,
    id: n.id,
    type: n.type,
    url: n.url,
    on: EVENTS.filter((e) => n.on.includes(e)),
    secret: "",
    hasSecret: n.hasSecret,
    storedUrl: n.url,
  }));
}

const sameEvents = (a: NotificationEvent[], b: NotificationEvent[]) =>
  a.length === b.length && a.every((e) => b.includes(e));

/** Whether the rows are exactly the monitor's stored targets (nothing to send on edit). */
function unchanged(rows: NotificationRow[], monitor: Monitor): boolean {
  return (
    rows.length === monitor.notifications.length &&
    rows.every((r, i) => {
      const n = monitor.notifications[i];
      return (
        !!n &&
        r.id === n.id &&
        r.type === n.type &&
        r.url.trim() === n.url &&
        sameEvents(r.on, n.on) &&
        !r.secret
      );
    })
  );
}

/**
 * The `notifications` field of the request body, or undefined when editing left the list as stored.
 * Throws an Error naming the row that is incomplete.
 */
export function notificationsBody(
  rows: NotificationRow[],
  editing: Monitor | null,
): Record<string, unknown>[] | undefined {
  if (editing ? unchanged(rows, editing) : rows.length === 0) return undefined;
  return rows.map((r, i) => {
    const url = r.url.trim();
    if (!url) throw new Error(`Notification ${i + 1} needs a URL (or remove it).`);
    if (r.on.length === 0) throw new Error(`Notification ${i + 1}: choose at least one event to notify on.`);
    return {
      ...(r.id ? { id: r.id } : {}),
      type: r.type,
      url,
      on: r.on,
      ...(r.secret ? { secret: r.secret } : {}),
    };
  });
}

function secretNote(row: NotificationRow): string {
  if (!row.hasSecret) return "write-only, optional";
  if (row.storedUrl !== null && row.url.trim() !== row.storedUrl)
    return "the stored one is dropped when the URL changes: enter it again to keep signing";
  return "write-only; one is stored, leave empty to keep it";
}

function Row(props: {
  row: NotificationRow;
  n: number;
  set: (patch: Partial<NotificationRow>) => void;
  remove: () => void;
}) {
  const { row, n, set } = props;
  const toggle = (event: NotificationEvent, on: boolean) =>
    set({ on: EVENTS.filter((e) => (e === event ? on : row.on.includes(e))) });
  return (
    <fieldset class="notification">
      <legend>Notification {n}</legend>
      <label>
        Type
        <select
          value={row.type}
          onChange={(e) => set({ type: (e.target as HTMLSelectElement).value as NotificationRow["type"] })}
        >
          <option value="webhook">Webhook</option>
          <option value="slack">Slack</option>
        </select>
      </label>
      <label>
        URL
        <input
          type="url"
          required
          value={row.url}
          onInput={(e) => set({ url: (e.target as HTMLInputElement).value })}
          placeholder="https://…"
        />
      </label>
      <fieldset class="events">
        <legend>Notify on</legend>
        {EVENTS.map((event) => (
          <label key={event} class="inline region">
            <input
              type="checkbox"
              checked={row.on.includes(event)}
              onChange={(e) => toggle(event, (e.target as HTMLInputElement).checked)}
            />{" "}
            {event}
          </label>
        ))}
      </fieldset>
      <label>
        Signing secret ({secretNote(row)})
        <input
          type="password"
          autocomplete="off"
          minLength={8}
          maxLength={256}
          value={row.secret}
          onInput={(e) => set({ secret: (e.target as HTMLInputElement).value })}
        />
      </label>
      <div class="actions wide">
        <button type="button" class="danger" onClick={props.remove} aria-label={`Remove notification ${n}`}>
          Remove
        </button>
      </div>
    </fieldset>
  );
}

/** Every notification target of the monitor, editable, with "Add notification". */
export function NotificationsEditor(props: {
  rows: NotificationRow[];
  /** Applies a change to the current rows (a function, so quick successive edits never undo each other). */
  onChange: (change: (rows: NotificationRow[]) => NotificationRow[]) => void;
}) {
  const { rows, onChange } = props;
  const update = (key: number, patch: Partial<NotificationRow>) =>
    onChange((list) => list.map((r) => (r.key === key ? { ...r, ...patch } : r)));
  return (
    <fieldset class="wide notifications">
      <legend>Notifications</legend>
      {rows.length === 0 && <p class="muted">No notifications: failures are only shown here.</p>}
      {rows.map((row, i) => (
        <Row
          key={row.key}
          row={row}
          n={i + 1}
          set={(patch) => update(row.key, patch)}
          remove={() => onChange((list) => list.filter((r) => r.key !== row.key))}
        />
      ))}
      <button
        type="button"
        onClick={() => onChange((list) => (list.length < MAX_NOTIFICATIONS ? [...list, newRow()] : list))}
        disabled={rows.length >= MAX_NOTIFICATIONS}
      >
        Add notification
      </button>
    </fieldset>
  );
}
