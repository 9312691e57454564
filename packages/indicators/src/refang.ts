/**
 * Undoes the usual defanging so a value can be validated: `hxxp://evil[.]com`,
 * `1.2.3[.]4`, `user[at]example(.)com`, `example[dot]com`, `https[:]//`.
 * Refanging never turns an invalid value into a valid one of another kind: it
 * only reverses notations that have no other meaning in an observable.
 */
const BRACKETED = /[[({]\s*(\.|dot|:|at|@|\/\/|:\/\/)\s*[\])}]/gi;
const SCHEME = /^(hxxps?|hxxp|fxp|fxps|h\*\*ps?|meow)(?=(?::|\[:\])\/\/)/i;
const SPACED_DOT = /\s+\.\s+|\s+\.(?=\S)|(?<=\S)\.\s+/g;

const BRACKET_VALUE: Record<string, string> = {
  '.': '.',
  dot: '.',
  ':': ':',
  at: '@',
  '@': '@',
  '//': '//',
  '://': '://',
};

export function refang(raw: string): string {
  let value = raw.trim();
  if (value.length === 0) return value;
  // Fast path: nothing defanged (the common case on clean feeds).
  if (!/[[({]|hxx|fxp|\s\.|\.\s|h\*\*p|meow/i.test(value)) return value;
  value = value.replace(BRACKETED, (_, inner: string) => BRACKET_VALUE[inner.toLowerCase()] ?? inner);
  value = value.replace(SCHEME, (scheme: string) => {
    const lower = scheme.toLowerCase();
    if (lower.startsWith('f')) return lower.endsWith('s') ? 'ftps' : 'ftp';
    return lower.endsWith('s') ? 'https' : 'http';
  });
  // Spaces around dots only inside what is otherwise one token (`evil . com`).
  if (!/\s/.test(value.replace(SPACED_DOT, '.'))) value = value.replace(SPACED_DOT, '.');
  return value;
}
