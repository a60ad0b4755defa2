/** Entry point of the web app bundle (built by scripts/build-web.mjs into public/assets/app.js). */
import { render } from "preact";
import { App } from "./app";
// uPlot's stylesheet rides with the main CSS: esbuild does not load CSS of lazy chunks by itself.
import "uplot/dist/uPlot.min.css";
import "./styles.css";

const root = document.getElementById("app");
if (root) render(<App />, root);
