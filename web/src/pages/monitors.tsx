/** Monitors pages (lazy chunk). */
import type { Route } from "../router";
export function MonitorsRoute(props: { route: Route }) {
  return <p>{props.route.page}</p>;
}
