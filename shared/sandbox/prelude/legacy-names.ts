// The names of the legacy globals, known without building them: legacy.ts is compiled on first use in
// the QuickJS prelude (prelude/lazy.ts), and every script's list of the globals it may name needs these.

const RESPONSE_GLOBALS = [
  "responseBody",
  "responseCode",
  "responseHeaders",
  "responseTime",
  "responseCookies",
];

/** legacy.ts `legacyLoaders`' keys, in its order (test/node/prelude-lazy.test.ts keeps them equal). */
export function legacyNames(isTest: boolean): string[] {
  return [
    "postman",
    "environment",
    "globals",
    "request",
    "iteration",
    ...(isTest ? RESPONSE_GLOBALS : []),
    "xml2Json",
  ];
}
