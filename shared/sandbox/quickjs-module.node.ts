/**
 * Side-effect import for Node (tests, benchmarks): the release variant loads its .wasm from disk.
 */
import releaseVariant from "@jitl/quickjs-wasmfile-release-sync";
import { newQuickJSWASMModuleFromVariant } from "quickjs-emscripten-core";
import { setQuickJSLoader } from "./quickjs-host";

setQuickJSLoader(() => newQuickJSWASMModuleFromVariant(releaseVariant));
