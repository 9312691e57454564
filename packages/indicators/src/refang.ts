/**
 * Undoes the usual defanging so a value can be validated: `hxxp://evil[.]com`,
 * `1.2.3[.]4`, `user[at]example(.)com`, `example[dot]com`, `https[:]//`,
 * `evil{.}com`, `evil\.com`, `hxxp[://]evil.com`, `evil . com`.
 * Refanging only reverses notations that have no other meaning in an
 * observable, so it never turns a value into a different valid one.
 */
const BRACKETED = /\s*[[({]\s*(\.|dot|:|at|@|\/\/|:\/\/|\/)\s*[\])}]\s*/gi;
const SCHEME = /^(hxxps?|hxxp|hxtps?|fxps?|h\*\*ps?|meow)(?=(?::|\[:\])\/\/|\[:\/\/\])/i;
const SPACED_DOT = /\s+\.\s+|\s+\.(?=\S)|(?<=\S)\.\s+/g;
const ESCAPED_DOT = /\\\./g;
/**
 * Whether any rewriting may be needed: one pass over the characters, so clean
 * values (the common case) pay nothing else. Looks for brackets, backslashes,
 * whitespace (spaced dots) and the first letters of defanged schemes.
 */
function mayBeDefanged(value: string): boolean {
  for (let index = 0; index < value.length; index++) {
    const code = value.charCodeAt(index);
    if (code === 91 || code === 40 || code === 123 || code === 92 || code <= 32) return true; // [ ( { \ blank
    const lower = code | 0x20;
    if (lower === 104 /* h */ || lower === 102 /* f */) {
      const next = value.charCodeAt(index + 1) | 0x20;
      if (next === 120 /* x */ || next === 42 /* * */) return true;
    } else if (lower === 109 /* m */ && index === 0 && /^meow/i.test(value)) {
      return true;
    }
  }
  return false;
}

const BRACKET_VALUE: Record<string, string> = {
  '.': '.',
  dot: '.',
  ':': ':',
  at: '@',
  '@': '@',
  '/': '/',
  '//': '//',
  '://': '://',
};

function refangScheme(scheme: string): string {
  const lower = scheme.toLowerCase();
  const secure = lower.endsWith('s');
  if (lower.startsWith('f')) return secure ? 'ftps' : 'ftp';
  return secure ? 'https' : 'http';
}

export function refang(raw: string): string {
  let value = raw.trim();
  if (value.length === 0 || !mayBeDefanged(value)) return value;
  value = value.replace(BRACKETED, (whole, inner: string) => BRACKET_VALUE[inner.toLowerCase()] ?? whole);
  value = value.replace(ESCAPED_DOT, '.');
  value = value.replace(SCHEME, refangScheme);
  // Spaces around dots only inside what is otherwise one token (`evil . com`), never in free text.
  if (SPACED_DOT.test(value)) {
    const joined = value.replace(SPACED_DOT, '.');
    if (!/\s/.test(joined)) value = joined;
  }
  SPACED_DOT.lastIndex = 0;
  return value;
}

/** The opposite, for tests and for showing values safely: `http://evil.com` → `hxxp://evil[.]com`. */
export function defang(value: string): string {
  return value
    .replace(/^http/i, 'hxxp')
    .replace(/^ftp/i, 'fxp')
    .replaceAll('.', '[.]')
    .replaceAll('@', '[@]');
}
