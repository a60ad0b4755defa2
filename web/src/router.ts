/**
 * Path-based routing for the single-page app (the Worker serves index.html for unknown paths:
 * `not_found_handling = "single-page-application"`), so `/runs/{id}` and `/monitors/{id}` are real,
 * shareable URLs.
 */
import { useEffect, useState } from "preact/hooks";

export type Route =
  | { page: "run" }
  | { page: "run-detail"; runId: string }
  | { page: "monitors" }
  | { page: "monitor"; monitorId: string }
  | { page: "not-found" };

/** Maps a pathname to a page. */
export function parseRoute(pathname: string): Route {
  const path = pathname.replace(/\/+$/, "") || "/";
  if (path === "/") return { page: "run" };
  if (path === "/monitors") return { page: "monitors" };
  const run = /^\/runs\/([^/]+)$/.exec(path);
  if (run?.[1]) return { page: "run-detail", runId: decodeURIComponent(run[1]) };
  const monitor = /^\/monitors\/([^/]+)$/.exec(path);
  if (monitor?.[1]) return { page: "monitor", monitorId: decodeURIComponent(monitor[1]) };
  return { page: "not-found" };
}

const NAVIGATE = "edgerun:navigate";

/** Pushes a new URL without reloading the page and tells the app to render it. */
export function navigate(path: string): void {
  if (path === location.pathname + location.search) return;
  history.pushState(null, "", path);
  window.dispatchEvent(new Event(NAVIGATE));
  window.scrollTo(0, 0);
}

/** The current route, updated on navigation and on the browser's back/forward buttons. */
export function useRoute(): Route {
  const [route, setRoute] = useState(() => parseRoute(location.pathname));
  useEffect(() => {
    const update = () => setRoute(parseRoute(location.pathname));
    window.addEventListener("popstate", update);
    window.addEventListener(NAVIGATE, update);
    return () => {
      window.removeEventListener("popstate", update);
      window.removeEventListener(NAVIGATE, update);
    };
  }, []);
  return route;
}

/** Click handler for in-app links: plain clicks navigate in place, modified clicks keep browser behaviour. */
export function onLinkClick(event: MouseEvent): void {
  if (event.defaultPrevented || event.button !== 0) return;
  if (event.metaKey || event.ctrlKey || event.shiftKey || event.altKey) return;
  const a = (event.target as Element | null)?.closest("a");
  if (!a || a.target || a.hasAttribute("download") || a.origin !== location.origin) return;
  if (a.pathname.startsWith("/v1/") || a.pathname === "/docs" || a.pathname === "/openapi.json") return;
  event.preventDefault();
  navigate(a.pathname + a.search);
}
