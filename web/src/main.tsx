/** Entry point of the web app bundle (built by scripts/build-web.mjs into public/assets/app.js). */
import { render } from "preact";
import { App } from "./app";
import "./styles.css";

const root = document.getElementById("app");
if (root) render(<App />, root);
