/**
 * The API key dialog: the key is entered once, kept in localStorage, and never shown in a URL or the
 * page source. It opens by itself when no key is stored or when the server rejects the stored one.
 */
import { useEffect, useRef, useState } from "preact/hooks";
import { getApiKey, setApiKey } from "../api";

export function KeyDialog(props: { open: boolean; reason: string | null; onClose: () => void }) {
  const ref = useRef<HTMLDialogElement>(null);
  const [value, setValue] = useState("");
  useEffect(() => {
    const dialog = ref.current;
    if (!dialog) return;
    if (props.open && !dialog.open) {
      setValue("");
      dialog.showModal();
    } else if (!props.open && dialog.open) dialog.close();
  }, [props.open]);
  const save = (event: Event) => {
    event.preventDefault();
    const key = value.trim();
    if (!key) return;
    setApiKey(key);
    props.onClose();
  };
  const stored = getApiKey();
  return (
    <dialog ref={ref} class="key-dialog" aria-labelledby="key-title" onClose={props.onClose}>
      <form method="dialog" onSubmit={save}>
        <h2 id="key-title">API key</h2>
        <p class="muted">
          {props.reason ??
            "Paste your edgerun API key. It stays in this browser (localStorage) and is sent only as an Authorization header."}
        </p>
        <p class="muted">
          Local stack: <code>npm start</code> prints the development key when it starts.
        </p>
        <label>
          API key
          <input
            type="password"
            name="api-key"
            autocomplete="off"
            spellcheck={false}
            value={value}
            onInput={(e) => setValue((e.target as HTMLInputElement).value)}
            placeholder={stored ? "•••••••• (a key is stored)" : "er_…"}
            required
          />
        </label>
        <div class="actions">
          <button type="submit" class="primary">
            Save key
          </button>
          <button type="button" onClick={props.onClose}>
            Close
          </button>
          {stored && (
            <button
              type="button"
              class="danger"
              onClick={() => {
                setApiKey(null);
                props.onClose();
              }}
            >
              Forget key
            </button>
          )}
        </div>
      </form>
    </dialog>
  );
}
