/**
 * IDNA for host names, per UTS #46 (non-transitional) with CheckHyphens,
 * CheckBidi and CheckJoiners, on top of Node's WHATWG `domainToASCII`.
 *
 * WHATWG runs UTS #46 with CheckHyphens, CheckBidi and the IDNA2008 validity
 * checks off, and maps "ignored" code points to nothing: `ev\u200Bil.com`
 * becomes `evil.com`, `a—b.com` and `💩.la` become plausible punycode. For an
 * indicator that would be a different value than the partner sent, so this
 * module refuses what WHATWG would silently rewrite or accept:
 * - code points UTS #46 ignores (zero-width space, soft hyphen, word joiner,
 *   variation selectors: Default_Ignorable_Code_Point) and `%`;
 * - in every label, after decoding `xn--` labels: anything but letters,
 *   marks, decimal digits and the hyphen (IDNA2008 disallows symbols,
 *   punctuation and emoji, which UTS #46 keeps as "valid, NV8");
 * - CheckHyphens: a hyphen at either end of a label, or in both the 3rd and
 *   4th positions unless it is an `xn--` label;
 * - CheckJoiners (RFC 5892 Appendix A.1/A.2): ZWJ / ZWNJ only right after a
 *   virama (the Arabic joining-type context of ZWNJ is not modelled: refused);
 * - CheckBidi (RFC 5893 §2) on every label of a domain that has a
 *   right-to-left label;
 * - `xn--` labels that do not decode, decode to ASCII only, or do not encode
 *   back to themselves.
 */
import { domainToASCII, domainToUnicode } from 'node:url';

export type IdnaResult = { ok: true; ascii: string } | { ok: false; problem: string };

const ZWNJ = 0x200c;
const ZWJ = 0x200d;

/** Code points with Canonical_Combining_Class 9 (virama): the only place a joiner may follow. */
const VIRAMAS = new Set([
  0x094d, 0x09cd, 0x0a4d, 0x0acd, 0x0b4d, 0x0bcd, 0x0c4d, 0x0ccd, 0x0d3b, 0x0d3c, 0x0d4d, 0x0dca, 0x0e3a,
  0x0eba, 0x0f84, 0x1039, 0x103a, 0x1714, 0x1715, 0x1734, 0x17d2, 0x1a60, 0x1b44, 0x1baa, 0x1bab, 0x1bf2,
  0x1bf3, 0x2d7f, 0xa806, 0xa82c, 0xa8c4, 0xa953, 0xa9c0, 0xaaf6, 0xabed, 0x10a3f, 0x11046, 0x11070, 0x1107f,
  0x110b9, 0x11133, 0x11134, 0x111c0, 0x11235, 0x112ea, 0x1134d, 0x11442, 0x114c2, 0x115bf, 0x1163f, 0x116b6,
  0x1172b, 0x11839, 0x1193d, 0x1193e, 0x119e0, 0x11a34, 0x11a47, 0x11a99, 0x11c3f, 0x11d44, 0x11d45, 0x11d97,
]);

const IGNORED = /\p{Default_Ignorable_Code_Point}/u;
const LABEL_CHARACTER = /^[\p{L}\p{M}\p{Nd}-]$/u;

type BidiClass = 'L' | 'R' | 'AL' | 'AN' | 'EN' | 'ES' | 'NSM';
const RIGHT_TO_LEFT =
  /[\p{Script=Hebrew}\p{Script=Samaritan}\p{Script=Mandaic}\p{Script=Nko}\p{Script=Adlam}\p{Script=Mende_Kikakui}\p{Script=Imperial_Aramaic}\p{Script=Phoenician}\p{Script=Kharoshthi}\p{Script=Old_South_Arabian}\p{Script=Avestan}\p{Script=Hanifi_Rohingya}\p{Script=Yezidi}]/u;
const ARABIC_LETTER = /[\p{Script=Arabic}\p{Script=Syriac}\p{Script=Thaana}]/u;

/** The RFC 5893 bidi class of a code point that passed LABEL_CHARACTER (letters, marks, digits, hyphen). */
function bidiClass(char: string): BidiClass {
  const code = char.codePointAt(0)!;
  if (code === 45) return 'ES';
  if (code < 128) return code <= 57 ? 'EN' : 'L';
  if ((code >= 0x0660 && code <= 0x0669) || code === 0x066b || code === 0x066c) return 'AN';
  if (code >= 0x06f0 && code <= 0x06f9) return 'EN';
  if (/\p{Mn}|\p{Me}/u.test(char)) return 'NSM';
  if (ARABIC_LETTER.test(char)) return 'AL';
  if (RIGHT_TO_LEFT.test(char)) return 'R';
  return 'L';
}

/** RFC 5893 §2 rules 1–6 for one label of a bidi domain name; null when it passes. */
function bidiProblem(label: string): string | null {
  const classes = Array.from(label, bidiClass);
  const first = classes[0]!;
  let last = classes.length - 1;
  while (last > 0 && classes[last] === 'NSM') last--;
  const end = classes[last]!;
  if (first === 'R' || first === 'AL') {
    if (classes.includes('L')) return 'a left-to-right character in a right-to-left label';
    if (!['R', 'AL', 'EN', 'AN'].includes(end)) return 'a right-to-left label that ends badly';
    if (classes.includes('EN') && classes.includes('AN'))
      return 'European and Arabic-Indic digits in one label';
    return null;
  }
  if (first !== 'L') return 'a label of a right-to-left domain that starts with neither a letter nor RTL';
  if (classes.some((value) => value === 'R' || value === 'AL' || value === 'AN'))
    return 'a right-to-left character in a left-to-right label';
  if (end !== 'L' && end !== 'EN') return 'a left-to-right label that ends badly';
  return null;
}

/** Why a decoded (Unicode) label is not IDNA-valid, or null. */
function labelProblem(label: string, isALabel: boolean): string | null {
  if (label.length === 0) return 'empty label';
  if (label.startsWith('-') || label.endsWith('-')) return `label "${label}" starts or ends with a hyphen`;
  if (!isALabel && label[2] === '-' && label[3] === '-')
    return `label "${label}" has hyphens in the 3rd and 4th positions`;
  let previous = 0;
  for (const char of label) {
    const code = char.codePointAt(0)!;
    if (code === ZWJ || code === ZWNJ) {
      if (!VIRAMAS.has(previous)) return 'a zero-width joiner outside a virama context';
    } else if (code !== 95 /* _ */ && !LABEL_CHARACTER.test(char)) {
      return `character U+${code.toString(16).toUpperCase().padStart(4, '0')} is not allowed in a domain name`;
    }
    previous = code;
  }
  return null;
}

const hasNonAscii = (text: string): boolean => {
  for (let index = 0; index < text.length; index++) if (text.charCodeAt(index) > 127) return true;
  return false;
};

/**
 * `name` (no trailing dot, not lower-cased yet) to its ASCII form, or why it
 * is not a valid internationalised domain name. Only called for names with a
 * non-ASCII character or an `xn--` label: plain LDH names skip it.
 */
export function idnaToAscii(name: string): IdnaResult {
  for (const char of name) {
    if (char === '%') return { ok: false, problem: 'percent sign in a domain name' };
    if (IGNORED.test(char) && char !== '\u200c' && char !== '\u200d')
      return {
        ok: false,
        problem: `invisible character U+${char.codePointAt(0)!.toString(16).toUpperCase().padStart(4, '0')}`,
      };
  }
  const ascii = domainToASCII(name);
  if (!ascii) return { ok: false, problem: 'not a valid internationalised domain name (UTS #46)' };
  const labels = ascii.split('.');
  const unicodeLabels: string[] = [];
  for (const label of labels) {
    const isALabel = label.startsWith('xn--');
    const unicode = isALabel ? domainToUnicode(label) : label;
    if (isALabel && (!unicode || !hasNonAscii(unicode) || domainToASCII(unicode) !== label))
      return { ok: false, problem: `malformed punycode label "${label}"` };
    const problem = labelProblem(unicode, isALabel);
    if (problem) return { ok: false, problem };
    unicodeLabels.push(unicode);
  }
  const isBidi = unicodeLabels.some((label) =>
    Array.from(label).some((char) => {
      const type = bidiClass(char);
      return type === 'R' || type === 'AL' || type === 'AN';
    }),
  );
  if (isBidi) {
    for (const label of unicodeLabels) {
      const problem = bidiProblem(label);
      if (problem) return { ok: false, problem: `${problem} (RFC 5893)` };
    }
  }
  return { ok: true, ascii };
}
