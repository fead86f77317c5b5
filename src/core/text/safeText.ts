// Text from outside (device names, runner output, file names, spec strings) is echoed in terminals, the
// Output channel and error messages. Escape sequences there could recolour or rewrite the screen, and bidi
// overrides (U+202E) could make a message read differently from what it says, so both are neutralised
// before anything is shown. Every function here is one linear pass (no backtracking patterns).

/** ANSI/VT escape sequences: CSI (ESC [ ... final), OSC (ESC ] ... BEL or ST), and two-byte ESC x. */
const ANSI_SEQUENCE = /\x1b\[[0-?]*[ -/]*[@-~]|\x1b\][^\x07\x1b]*(?:\x07|\x1b\\)?|\x1b[@-Z\\-_]|\x9b[0-?]*[ -/]*[@-~]/g;

/** Characters that reorder or hide text: bidi embeddings/overrides/isolates, marks, zero-width joiners. */
const BIDI_OR_INVISIBLE = /[\u061c\u200b-\u200f\u202a-\u202e\u2060-\u2064\u2066-\u2069\ufeff]/g;

/** C0 and C1 controls, DEL; tab and newline are handled by the caller's choice. */
const CONTROL = /[\x00-\x08\x0b-\x1f\x7f-\x9f]/g;

/** Removes ANSI escape sequences (colours, cursor moves, titles) from `s`. */
export function stripAnsi(s: string): string {
  return s.replace(ANSI_SEQUENCE, '');
}

function escapeChar(c: string): string {
  const code = c.codePointAt(0)!;
  return code <= 0xff ? `\\x${code.toString(16).padStart(2, '0')}` : `\\u{${code.toString(16)}}`;
}

/**
 * `s` made safe to print: ANSI sequences removed, other control, bidi and invisible characters shown as
 * escapes (`\x1b`, `\u{202e}`). With `multiline`, newlines and tabs are kept (runner output in a log);
 * without, they are escaped too (a name or a one-line message).
 */
export function neutraliseForDisplay(s: string, multiline = false): string {
  let out = stripAnsi(s);
  if (multiline) out = out.replace(/\r\n?/g, '\n');
  out = out.replace(BIDI_OR_INVISIBLE, escapeChar).replace(CONTROL, escapeChar);
  return multiline ? out : out.replace(/[\t\n]/g, escapeChar);
}
