/**
 * The app shell: navigation, the API key dialog and the page for the current route. The monitors
 * pages (and uPlot) load lazily, so the run page stays small and renders fast.
 */
import type { ComponentType } from "preact";
import { useEffect, useState } from "preact/hooks";
import { getApiKey, onApiKeyChange, onUnauthorized } from "./api";
import { KeyDialog } from "./components/key-dialog";
import { RunDetailPage } from "./pages/run-detail";
import { RunPage } from "./pages/run-page";
import { onLinkClick, type Route, useRoute } from "./router";

type MonitorsModule = typeof import("./pages/monitors");

/** Loads the monitors chunk once and renders one of its pages. */
function LazyMonitors(props: { route: Route }) {
  const [mod, setMod] = useState<MonitorsModule | null>(null);
  const [error, setError] = useState<string | null>(null);
  useEffect(() => {
    import("./pages/monitors").then(setMod, (e: unknown) => setError(String(e)));
  }, []);
  if (error) return <p role="alert">Could not load the monitors page: {error}</p>;
  if (!mod) return <p class="muted">Loading…</p>;
  const Page: ComponentType<{ route: Route }> = mod.MonitorsRoute;
  return <Page route={props.route} />;
}

function Page(props: { route: Route }) {
  const { route } = props;
  switch (route.page) {
    case "run":
      return <RunPage />;
    case "run-detail":
      return <RunDetailPage key={route.runId} runId={route.runId} />;
    case "monitors":
    case "monitor":
      return <LazyMonitors route={route} />;
    default:
      return (
        <section>
          <h1>Not found</h1>
          <p>
            There is no page here. <a href="/">Run a collection</a> or see the{" "}
            <a href="/monitors">monitors</a>.
          </p>
        </section>
      );
  }
}

export function App() {
  const route = useRoute();
  const [keyOpen, setKeyOpen] = useState(() => !getApiKey());
  const [reason, setReason] = useState<string | null>(null);
  const [keyVersion, setKeyVersion] = useState(0);
  useEffect(() => {
    const offKey = onApiKeyChange(() => setKeyVersion((v) => v + 1));
    const offAuth = onUnauthorized(() => {
      setReason(getApiKey() ? "The server rejected the stored API key. Paste a valid one." : null);
      setKeyOpen(true);
    });
    return () => {
      offKey();
      offAuth();
    };
  }, []);
  useEffect(() => {
    const titles: Record<Route["page"], string> = {
      run: "Run a collection",
      "run-detail": "Run",
      monitors: "Monitors",
      monitor: "Monitor",
      "not-found": "Not found",
    };
    document.title = `${titles[route.page]} · edgerun`;
  }, [route]);
  const current = (page: Route["page"][]) => (page.includes(route.page) ? "page" : undefined);
  return (
    // biome-ignore lint/a11y/noStaticElementInteractions: delegated handler for in-app links
    // biome-ignore lint/a11y/useKeyWithClickEvents: links keep their own keyboard behaviour
    <div class="shell" onClick={onLinkClick}>
      <a class="skip" href="#main">
        Skip to content
      </a>
      <header class="top">
        <a href="/" class="brand">
          edgerun
        </a>
        <nav aria-label="Main">
          <a href="/" aria-current={current(["run", "run-detail"])}>
            Run
          </a>
          <a href="/monitors" aria-current={current(["monitors", "monitor"])}>
            Monitors
          </a>
          <a href="/docs">API docs</a>
        </nav>
        <button type="button" class="key-button" onClick={() => setKeyOpen(true)}>
          {getApiKey() ? "API key ✓" : "Set API key"}
        </button>
      </header>
      <main id="main" tabIndex={-1}>
        {/* A new key reloads the page's data (the run page keeps its form; its pickers refetch themselves). */}
        <Page key={route.page === "run" ? "run" : keyVersion} route={route} />
      </main>
      <KeyDialog
        open={keyOpen}
        reason={reason}
        onClose={() => {
          setKeyOpen(false);
          setReason(null);
        }}
      />
    </div>
  );
}
