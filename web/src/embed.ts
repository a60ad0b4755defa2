/**
 * `/embed.js`: the embeddable "Run in cloud" button for third-party pages.
 *
 *   <script src="https://YOUR-EDGERUN/embed.js" async></script>
 *   <edgerun-run collection-url="/collections/smoke.postman_collection.json"></edgerun-run>
 *
 * A click fetches the collection from the host page (same origin there, so no CORS setup is needed),
 * opens the edgerun app in a new tab and hands the collection over with postMessage. The app shows it
 * and the user presses "Run in cloud" there: the API key stays on edgerun's origin and the host page
 * never sees it. If the fetch fails, the app is opened with `?collection-url=` and fetches it itself.
 */
const script = document.currentScript as HTMLScriptElement | null;
const defaultServer = script?.src ? new URL(script.src).origin : location.origin;

const STYLE = `
button { font: 600 14px/1.2 system-ui, sans-serif; padding: .55rem 1.1rem; border-radius: 6px; border: 0;
  background: #f26b3a; color: #fff; cursor: pointer; display: inline-flex; gap: .4rem; align-items: center; }
button:hover { background: #b8400f; }
button:focus-visible { outline: 3px solid #2563eb; outline-offset: 2px; }
button[disabled] { opacity: .6; cursor: progress; }`;

class EdgerunRun extends HTMLElement {
  static observedAttributes = ["label"];
  #button: HTMLButtonElement | null = null;

  connectedCallback(): void {
    if (this.#button) return;
    const root = this.attachShadow({ mode: "open" });
    const style = document.createElement("style");
    style.textContent = STYLE;
    this.#button = document.createElement("button");
    this.#button.type = "button";
    this.#button.part.add("button");
    this.#button.textContent = this.getAttribute("label") ?? "Run in cloud";
    this.#button.addEventListener("click", () => this.#open());
    root.append(style, this.#button);
  }

  attributeChangedCallback(): void {
    if (this.#button) this.#button.textContent = this.getAttribute("label") ?? "Run in cloud";
  }

  #open(): void {
    const server = new URL(this.getAttribute("server") ?? defaultServer).origin;
    const source = new URL(this.getAttribute("collection-url") ?? "", location.href).href;
    // Open synchronously inside the click so popup blockers allow it; fill it in once loaded.
    const win = window.open(`${server}/?embed=1`, "_blank");
    if (!win) {
      location.href = `${server}/?collection-url=${encodeURIComponent(source)}`;
      return;
    }
    const fallback = () => {
      win.location.href = `${server}/?collection-url=${encodeURIComponent(source)}`;
    };
    const text = fetch(source).then((res) =>
      res.ok ? res.text() : Promise.reject(new Error(`HTTP ${res.status}`)),
    );
    text.catch(fallback);
    // Listen before the fetch settles: the app may announce itself first.
    const onMessage = (event: MessageEvent) => {
      if (event.source !== win || event.origin !== server) return;
      if ((event.data as { type?: string } | null)?.type !== "edgerun:ready") return;
      window.removeEventListener("message", onMessage);
      text.then(
        (collection) => win.postMessage({ type: "edgerun:collection", collection, source }, server),
        () => {},
      );
    };
    window.addEventListener("message", onMessage);
  }
}

if (!customElements.get("edgerun-run")) customElements.define("edgerun-run", EdgerunRun);
