/**
 * Character checks for partner text, each one linear scan: control
 * characters (C0, DEL, C1 — NUL, ESC, a tab inside a URL that WHATWG would
 * silently drop) and lone UTF-16 surrogates (a `\ud800` JSON escape: not a
 * character, and UTF-8 encoders turn it into U+FFFD).
 */

/** C0 controls (U+0000–U+001F), DEL and C1 controls (U+007F–U+009F). */
export const isControl = (code: number): boolean => code < 32 || (code >= 0x7f && code <= 0x9f);

export type TextProblem = 'control_character' | 'invalid_utf8' | null;

/** The first problem in `text`; line breaks and tabs count as control characters unless allowed. */
export function textProblem(text: string, allowLineBreaks = false): TextProblem {
  for (let index = 0; index < text.length; index++) {
    const code = text.charCodeAt(index);
    if (code < 0x7f) {
      if (code >= 32 || (allowLineBreaks && (code === 9 || code === 10 || code === 13))) continue;
      return 'control_character';
    }
    if (code <= 0x9f) return 'control_character';
    if (code >= 0xd800 && code <= 0xdfff) {
      const next = text.charCodeAt(index + 1);
      if (code > 0xdbff || !(next >= 0xdc00 && next <= 0xdfff)) return 'invalid_utf8';
      index++;
    }
  }
  return null;
}

/**
 * `text` without control characters (tabs and line breaks kept) and with
 * lone surrogates as U+FFFD, and the first problem found; the same string
 * when it had none.
 */
export function cleanText(text: string): { text: string; problem: TextProblem } {
  const problem = textProblem(text, true);
  if (problem === null) return { text, problem };
  let out = '';
  for (let index = 0; index < text.length; index++) {
    const code = text.charCodeAt(index);
    if (code >= 0xd800 && code <= 0xdfff) {
      const next = text.charCodeAt(index + 1);
      if (code <= 0xdbff && next >= 0xdc00 && next <= 0xdfff) {
        out += text[index]! + text[index + 1]!;
        index++;
      } else {
        out += '\ufffd';
      }
    } else if (!isControl(code) || code === 9 || code === 10 || code === 13) {
      out += text[index]!;
    }
  }
  return { text: out, problem };
}
