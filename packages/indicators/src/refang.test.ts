import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { refang } from './refang.js';

/**
 * The regular-expression refang that the linear scanner replaced, kept as the
 * oracle: it is quadratic over whitespace runs, so it only sees short strings.
 */
function oldMayBeDefanged(value: string): boolean {
  for (let index = 0; index < value.length; index++) {
    const code = value.charCodeAt(index);
    if (code === 91 || code === 40 || code === 123 || code === 92 || code <= 32) return true;
    const lower = code | 0x20;
    if (lower === 104 || lower === 102) {
      const next = value.charCodeAt(index + 1) | 0x20;
      if (next === 120 || next === 42) return true;
    } else if (lower === 109 && index === 0 && /^meow/i.test(value)) return true;
  }
  return false;
}

function regexRefang(raw: string): string {
  const BRACKETED = /\s*[[({]\s*(\.|dot|:|at|@|\/\/|:\/\/|\/)\s*[\])}]\s*/gi;
  const SCHEME = /^(hxxps?|hxxp|hxtps?|fxps?|h\*\*ps?|meow)(?=(?::|\[:\])\/\/|\[:\/\/\])/i;
  const SPACED_DOT = /\s+\.\s+|\s+\.(?=\S)|(?<=\S)\.\s+/g;
  const VALUE: Record<string, string> = {
    '.': '.',
    dot: '.',
    ':': ':',
    at: '@',
    '@': '@',
    '/': '/',
    '//': '//',
    '://': '://',
  };
  let value = raw.trim();
  if (value.length === 0 || !oldMayBeDefanged(value)) return value;
  value = value.replace(BRACKETED, (whole, inner: string) => VALUE[inner.toLowerCase()] ?? whole);
  value = value.replace(/\\\./g, '.');
  value = value.replace(SCHEME, (scheme: string) => {
    const lower = scheme.toLowerCase();
    const secure = lower.endsWith('s');
    if (lower.startsWith('f')) return secure ? 'ftps' : 'ftp';
    return secure ? 'https' : 'http';
  });
  if (SPACED_DOT.test(value)) {
    const joined = value.replace(SPACED_DOT, '.');
    if (!/\s/.test(joined)) value = joined;
  }
  return value;
}

describe('refang (linear scanner)', () => {
  const pieces = [
    ' ',
    '  ',
    '\t',
    '\u00a0',
    '.',
    '[',
    ']',
    '(',
    ')',
    '{',
    '}',
    'dot',
    'DoT',
    'at',
    '@',
    ':',
    '/',
    '//',
    '://',
    '\\',
    'hxxp',
    'hXXps',
    'fxp',
    'meow',
    'h**p',
    'e',
    'x',
    'com',
  ];
  it('rewrites exactly what the regular expressions did', () => {
    fc.assert(
      fc.property(fc.array(fc.constantFrom(...pieces), { maxLength: 16 }), (parts) => {
        const raw = parts.join('');
        expect(refang(raw)).toBe(regexRefang(raw));
      }),
      { seed: 20260101, numRuns: 20_000 },
    );
  });

  it('is linear: doubling a whitespace-heavy input roughly doubles the work, never squares it', () => {
    const sample = (size: number) => `a${' '.repeat(size)}.${' '.repeat(size)}[ b ${' '.repeat(size)}(x`;
    const time = (size: number) => {
      const start = performance.now();
      for (let round = 0; round < 5; round++) refang(sample(size));
      return performance.now() - start;
    };
    time(1 << 16);
    const small = time(1 << 17);
    const large = time(1 << 20);
    // 8× the input: linear is ~8×, quadratic ~64×. 30× leaves room for a noisy shared machine.
    expect(large).toBeLessThan(Math.max(small, 1) * 30);
  });
});
