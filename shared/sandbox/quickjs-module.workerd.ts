/**
 * Side-effect import for workerd: the QuickJS WebAssembly module comes in as a compiled module
 * (wrangler's CompiledWasm rule in wrangler.toml), since Workers cannot compile wasm from bytes at runtime.
 */

import releaseVariant from "@jitl/quickjs-wasmfile-release-sync";
import wasmModule from "@jitl/quickjs-wasmfile-release-sync/wasm";
import { newQuickJSWASMModuleFromVariant, newVariant } from "quickjs-emscripten-core";
import { setQuickJSLoader } from "./quickjs-host";

setQuickJSLoader(() => newQuickJSWASMModuleFromVariant(newVariant(releaseVariant, { wasmModule })));
