/**
 * Create or edit a monitor: name, collection (stored or pasted JSON), optional environment, schedule
 * (interval or cron in a time zone), regions, retries, every notification target, active. Sends only
 * what the monitors API takes (`POST /v1/monitors`, `PATCH /v1/monitors/{id}`); on edit, only what the
 * user changed among the collection, environment and notifications.
 */
import { useState } from "preact/hooks";
import type { Monitor } from "../../../shared/schemas/monitors";
import { api } from "../api";
import { type Problem, ProblemBox, toProblem } from "../components/problem-box";
import { StoredOrInline } from "../components/stored-picker";
import {
  type NotificationRow,
  NotificationsEditor,
  notificationsBody,
  rowsOf,
} from "./monitor-notifications";
import { REGIONS } from "./run-inputs";

interface FormState {
  name: string;
  collectionId: string;
  collectionText: string;
  environmentId: string;
  environmentText: string;
  scheduleKind: "interval" | "cron";
  intervalSeconds: string;
  cron: string;
  timezone: string;
  regions: string[];
  retry: string;
  notifyAfter: string;
  notifications: NotificationRow[];
  active: boolean;
}

function initial(monitor: Monitor | null): FormState {
  const schedule = monitor?.schedule;
  return {
    name: monitor?.name ?? "",
    collectionId: monitor && "id" in monitor.collection ? monitor.collection.id : "",
    collectionText: "",
    environmentId: monitor?.environment && "id" in monitor.environment ? monitor.environment.id : "",
    environmentText: "",
    scheduleKind: schedule && "cron" in schedule ? "cron" : "interval",
    intervalSeconds: schedule && "intervalSeconds" in schedule ? String(schedule.intervalSeconds) : "300",
    cron: schedule && "cron" in schedule ? schedule.cron : "*/5 * * * *",
    timezone:
      schedule && "cron" in schedule ? schedule.timezone : Intl.DateTimeFormat().resolvedOptions().timeZone,
    regions: monitor?.regions ?? ["auto"],
    retry: String(monitor?.retry.attempts ?? 0),
    notifyAfter: String(monitor?.notifyAfter ?? 1),
    notifications: rowsOf(monitor),
    active: monitor?.active ?? true,
  };
}

function parseJson(text: string, what: string): unknown {
  try {
    return JSON.parse(text) as unknown;
  } catch (error) {
    throw new Error(`${what} is not valid JSON: ${(error as Error).message}`);
  }
}

/** The request body; on edit, the collection/environment are sent only when the user changed them. */
function toBody(f: FormState, editing: Monitor | null): Record<string, unknown> {
  const body: Record<string, unknown> = {
    name: f.name.trim(),
    schedule:
      f.scheduleKind === "cron"
        ? { cron: f.cron.trim(), timezone: f.timezone.trim() || "UTC" }
        : { intervalSeconds: Number(f.intervalSeconds) },
    regions: f.regions.length ? f.regions : ["auto"],
    retry: { attempts: Number(f.retry) || 0 },
    notifyAfter: Number(f.notifyAfter) || 1,
    active: f.active,
  };
  const oldCollection = editing && "id" in editing.collection ? editing.collection.id : "";
  if (f.collectionText.trim()) body.collection = parseJson(f.collectionText, "The collection");
  else if (f.collectionId && f.collectionId !== oldCollection) body.collectionId = f.collectionId;
  else if (!editing) throw new Error("Choose a stored collection or paste one.");
  if (f.environmentText.trim()) body.environment = parseJson(f.environmentText, "The environment");
  else if (f.environmentId) body.environmentId = f.environmentId;
  const notifications = notificationsBody(f.notifications, editing);
  if (notifications) body.notifications = notifications;
  return body;
}

interface FieldProps {
  f: FormState;
  set: (patch: Partial<FormState>) => void;
  text: (key: keyof FormState) => (e: Event) => void;
  setNotifications: (change: (rows: NotificationRow[]) => NotificationRow[]) => void;
  monitor: Monitor | null;
}

function SourceFields(props: FieldProps) {
  const { f, set } = props;
  return (
    <div class="wide">
      <StoredOrInline
        kind="collections"
        label={props.monitor ? "Replace the collection (optional JSON)" : "Collection (JSON)"}
        id={f.collectionId}
        text={f.collectionText}
        onId={(id) => set({ collectionId: id })}
        onText={(t) => set({ collectionText: t })}
      />
      <StoredOrInline
        kind="environments"
        label="Environment (optional JSON)"
        id={f.environmentId}
        text={f.environmentText}
        onId={(id) => set({ environmentId: id })}
        onText={(t) => set({ environmentText: t })}
      />
    </div>
  );
}

function ScheduleFields(props: FieldProps) {
  const { f, set, text } = props;
  const toggleRegion = (r: string, on: boolean) =>
    set({ regions: on ? [...f.regions.filter((x) => x !== r), r] : f.regions.filter((x) => x !== r) });
  return (
    <>
      <label>
        Schedule
        <select
          value={f.scheduleKind}
          onChange={(e) =>
            set({ scheduleKind: (e.target as HTMLSelectElement).value as FormState["scheduleKind"] })
          }
        >
          <option value="interval">Every N seconds</option>
          <option value="cron">Cron expression</option>
        </select>
      </label>
      {f.scheduleKind === "interval" ? (
        <label>
          Interval (seconds)
          <input
            type="number"
            min={10}
            max={86400}
            value={f.intervalSeconds}
            onInput={text("intervalSeconds")}
            required
          />
        </label>
      ) : (
        <>
          <label>
            Cron
            <input value={f.cron} onInput={text("cron")} required placeholder="*/5 * * * *" />
          </label>
          <label>
            Time zone
            <input value={f.timezone} onInput={text("timezone")} placeholder="UTC" />
          </label>
        </>
      )}
      <fieldset class="wide">
        <legend>Regions</legend>
        {REGIONS.map((r) => (
          <label key={r} class="inline region">
            <input
              type="checkbox"
              checked={f.regions.includes(r)}
              onChange={(e) => toggleRegion(r, (e.target as HTMLInputElement).checked)}
            />{" "}
            {r}
          </label>
        ))}
      </fieldset>
    </>
  );
}

function NotificationFields(props: FieldProps) {
  const { f, text } = props;
  return (
    <>
      <label>
        Retries per run
        <input type="number" min={0} max={3} value={f.retry} onInput={text("retry")} />
      </label>
      <label>
        Notify after N failures
        <input type="number" min={1} max={100} value={f.notifyAfter} onInput={text("notifyAfter")} />
      </label>
      <NotificationsEditor rows={f.notifications} onChange={props.setNotifications} />
    </>
  );
}

/** The create/edit form; `monitor` null creates. */
export function MonitorForm(props: {
  monitor: Monitor | null;
  onSaved: (m: Monitor) => void;
  onCancel: () => void;
}) {
  const [f, setF] = useState(() => initial(props.monitor));
  const [error, setError] = useState<Problem | null>(null);
  const [busy, setBusy] = useState(false);
  const set = (patch: Partial<FormState>) => setF((s) => ({ ...s, ...patch }));
  const text = (key: keyof FormState) => (e: Event) => set({ [key]: (e.target as HTMLInputElement).value });
  const submit = async (event: Event) => {
    event.preventDefault();
    setError(null);
    setBusy(true);
    try {
      const body = toBody(f, props.monitor);
      const saved = props.monitor
        ? await api<Monitor>(`/v1/monitors/${encodeURIComponent(props.monitor.id)}`, {
            method: "PATCH",
            body,
          })
        : await api<Monitor>("/v1/monitors", { method: "POST", body });
      props.onSaved(saved);
    } catch (e) {
      setError(toProblem(e));
    } finally {
      setBusy(false);
    }
  };
  const setNotifications = (change: (rows: NotificationRow[]) => NotificationRow[]) =>
    setF((s) => ({ ...s, notifications: change(s.notifications) }));
  const fields: FieldProps = { f, set, text, setNotifications, monitor: props.monitor };
  return (
    <form
      class="card monitor-form"
      onSubmit={submit}
      aria-label={props.monitor ? "Edit monitor" : "New monitor"}
    >
      <h2 class="wide">{props.monitor ? `Edit ${props.monitor.name}` : "New monitor"}</h2>
      <label class="wide">
        Name
        <input value={f.name} onInput={text("name")} required maxLength={200} />
      </label>
      <SourceFields {...fields} />
      <ScheduleFields {...fields} />
      <NotificationFields {...fields} />
      <label class="inline wide">
        <input
          type="checkbox"
          checked={f.active}
          onChange={(e) => set({ active: (e.target as HTMLInputElement).checked })}
        />{" "}
        Active
      </label>
      <ProblemBox problem={error} wide />
      <div class="actions wide">
        <button type="submit" class="primary" disabled={busy}>
          {props.monitor ? "Save monitor" : "Create monitor"}
        </button>
        <button type="button" onClick={props.onCancel}>
          Cancel
        </button>
      </div>
    </form>
  );
}
