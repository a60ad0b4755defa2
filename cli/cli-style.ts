/**
 * How the `cli` reporter paints and marks its lines: colors' codes as Newman's output has them, and
 * Newman's symbols (plain-text ones under `--disable-unicode`).
 */

export type Paint = (text: string) => string;

/** The colours and styles the reporter uses, each the identity when colour is off. */
export function palette(enabled: boolean) {
  const code =
    (open: number, close: number): Paint =>
    (text) =>
      enabled ? `\x1b[${open}m${text}\x1b[${close}m` : text;
  return {
    green: code(32, 39),
    red: code(31, 39),
    yellow: code(33, 39),
    cyan: code(36, 39),
    gray: code(90, 39),
    bold: code(1, 22),
    underline: code(4, 24),
    /** colors' `reset`, which Newman wraps the banner, collection, folder and item names in. */
    reset: code(0, 0),
    /** colors' `red.bold`: failed assertions and script errors. */
    alarm: (text: string) => code(31, 39)(code(1, 22)(text)),
  };
}
export type Palette = ReturnType<typeof palette>;

/** Newman's symbols, and its plain-text ones under `--disable-unicode`. */
export function symbolsFor(ascii: boolean) {
  return ascii
    ? { top: "-", middle: "|", bottom: "-", folder: "Folder", root: "Root", sub: "Sub-folder", ok: "Pass" }
    : { top: "┌", middle: "│", bottom: "└", folder: "❏", root: "→", sub: "↳", ok: "✓" };
}
export type Symbols = ReturnType<typeof symbolsFor>;
