// For the prelude's own type check (tsconfig.json here: ES library only). The engine modules the prelude
// imports name a few Web platform types in signatures it does not use; they are declared here as opaque
// types so that checking the prelude pulls in neither the DOM nor the Node library. structuredClone is
// called by engine code the prelude never runs (collection conversion, reached through type imports).
// biome-ignore lint/suspicious/noEmptyInterface: an opaque platform type (see above)
interface URL {}
// biome-ignore lint/suspicious/noEmptyInterface: an opaque platform type (see above)
interface Request {}
// biome-ignore lint/suspicious/noEmptyInterface: an opaque platform type (see above)
interface Response {}
// Engine code the prelude does not run also calls structuredClone and `new URL` (QuickJS has neither:
// the prelude must not use them; esbuild leaves the engine functions that do out of the bundle).
declare function structuredClone<T>(value: T): T;
declare var URL: new (url: string) => { href: string };
