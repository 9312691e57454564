/**
 * Undoes the usual defanging so a value can be validated: `hxxp://evil[.]com`,
 * `1.2.3[.]4`, `user[at]example(.)com`, `example[dot]com`, `https[:]//`,
 * `evil{.}com`, `evil\.com`, `hxxp[://]evil.com`, `evil . com`.
 * Refanging only reverses notations that have no other meaning in an
 * observable, so it never turns a value into a different valid one.
 *
 * The bracket and spaced-dot rewrites are character scanners, linear in the
 * input: the regular expressions they replace (`\s*[[({]…` and
 * `\s+\.\s+|…`) backtracked over every position of a whitespace run, which
 * made 64 KiB of blanks take 32 s. They rewrite exactly what those
 * expressions did (a property test compares them on short strings).
 */
const SCHEME = /^(hxxps?|hxxp|hxtps?|fxps?|h\*\*ps?|meow)(?=(?::|\[:\])\/\/|\[:\/\/\])/i;
const ESCAPED_DOT = /\\\./g;

/** JavaScript's `\s`: WhiteSpace and LineTerminator code points. */
export function isBlank(code: number): boolean {
  if (code <= 32) return code === 32 || (code >= 9 && code <= 13);
  if (code < 0xa0) return false;
  return (
    code === 0xa0 ||
    code === 0x1680 ||
    (code >= 0x2000 && code <= 0x200a) ||
    code === 0x2028 ||
    code === 0x2029 ||
    code === 0x202f ||
    code === 0x205f ||
    code === 0x3000 ||
    code === 0xfeff
  );
}

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

/** What a bracketed notation stands for, longest spelling first within each family. */
const BRACKET_TOKENS: readonly (readonly [spelling: string, meaning: string])[] = [
  ['.', '.'],
  ['dot', '.'],
  ['://', '://'],
  [':', ':'],
  ['at', '@'],
  ['@', '@'],
  ['//', '//'],
  ['/', '/'],
];
const isOpener = (code: number) => code === 91 || code === 40 || code === 123; // [ ( {
const isCloser = (code: number) => code === 93 || code === 41 || code === 125; // ] ) }

function skipBlanks(text: string, from: number): number {
  let index = from;
  while (index < text.length && isBlank(text.charCodeAt(index))) index++;
  return index;
}

/**
 * A bracketed notation whose opener is at `opener` (`[.]`, `( dot )`, `{:}`,
 * `[://]`, blanks allowed inside): its meaning and the index after its closer
 * and the blanks that follow, or null.
 */
function bracketAt(text: string, opener: number): { meaning: string; end: number } | null {
  const inner = skipBlanks(text, opener + 1);
  for (const [spelling, meaning] of BRACKET_TOKENS) {
    if (text.substring(inner, inner + spelling.length).toLowerCase() !== spelling) continue;
    const closer = skipBlanks(text, inner + spelling.length);
    if (closer < text.length && isCloser(text.charCodeAt(closer))) {
      return { meaning, end: skipBlanks(text, closer + 1) };
    }
  }
  return null;
}

/** `evil [.] com` → `evil.com`: a bracketed notation and the blanks around it become what it means. */
function replaceBrackets(text: string): string {
  let out = '';
  let copied = 0;
  let index = 0;
  while (index < text.length) {
    const start = index;
    const opener = skipBlanks(text, index);
    if (opener < text.length && isOpener(text.charCodeAt(opener))) {
      const bracket = bracketAt(text, opener);
      if (bracket) {
        out += text.slice(copied, start) + bracket.meaning;
        copied = index = bracket.end;
        continue;
      }
    }
    // No notation starts in these blanks or at this opener: keep them.
    index = opener > start ? opener : start + 1;
  }
  return copied === 0 ? text : out + text.slice(copied);
}

/**
 * Blanks next to a dot removed (`evil . com`, `evil .com`, `evil. com`), as
 * `\s+\.\s+|\s+\.(?=\S)|(?<=\S)\.\s+` → `.` would: a dot at either end keeps
 * its blanks.
 */
function joinSpacedDots(text: string): string {
  let out = '';
  let copied = 0;
  let index = 0;
  while (index < text.length) {
    const code = text.charCodeAt(index);
    if (isBlank(code)) {
      const dot = skipBlanks(text, index);
      if (text.charCodeAt(dot) === 46 && dot + 1 < text.length) {
        const after = skipBlanks(text, dot + 1);
        // `\s+\.\s+` takes the blanks after too; `\s+\.(?=\S)` needs a non-blank next.
        out += `${text.slice(copied, index)}.`;
        copied = index = after;
        continue;
      }
      index = dot;
      continue;
    }
    if (code === 46 && index > 0 && !isBlank(text.charCodeAt(index - 1))) {
      const after = skipBlanks(text, index + 1);
      if (after > index + 1) {
        out += `${text.slice(copied, index)}.`;
        copied = index = after;
        continue;
      }
    }
    index++;
  }
  return copied === 0 ? text : out + text.slice(copied);
}

function hasBlank(text: string): boolean {
  for (let index = 0; index < text.length; index++) if (isBlank(text.charCodeAt(index))) return true;
  return false;
}

function refangScheme(scheme: string): string {
  const lower = scheme.toLowerCase();
  const secure = lower.endsWith('s');
  if (lower.startsWith('f')) return secure ? 'ftps' : 'ftp';
  return secure ? 'https' : 'http';
}

export function refang(raw: string): string {
  let value = raw.trim();
  if (value.length === 0 || !mayBeDefanged(value)) return value;
  value = replaceBrackets(value);
  value = value.replace(ESCAPED_DOT, '.');
  value = value.replace(SCHEME, refangScheme);
  // Spaces around dots only inside what is otherwise one token (`evil . com`), never in free text.
  if (hasBlank(value)) {
    const joined = joinSpacedDots(value);
    if (!hasBlank(joined)) value = joined;
  }
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
