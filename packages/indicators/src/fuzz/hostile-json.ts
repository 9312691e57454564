/**
 * JSON documents as a small tree, so the fuzzer can write what `JSON.stringify`
 * cannot: keys named `__proto__` (an object literal would set the prototype),
 * nesting 100,000 deep (JSON.stringify recurses), lone surrogates. And
 * generators of hostile values: prototype keys, huge and negative numbers,
 * control characters, long whitespace runs, values over the length limits.
 */
import fc from 'fast-check';

export type JsonTree =
  | { t: 'obj'; entries: [string, JsonTree][] }
  | { t: 'arr'; items: JsonTree[] }
  /** `[[[…inner…]]]`, `depth` brackets deep (or `{"a":{"a":…}}`). */
  | { t: 'deep'; depth: number; objects: boolean; inner: JsonTree }
  | { t: 'raw'; value: string | number | boolean | null };

export const obj = (entries: [string, JsonTree][]): JsonTree => ({ t: 'obj', entries });
export const arr = (items: JsonTree[]): JsonTree => ({ t: 'arr', items });
export const raw = (value: string | number | boolean | null): JsonTree => ({ t: 'raw', value });

/** JSON text of a tree; escapes as JSON.stringify does (lone surrogates become `\udXXX` escapes). */
export function serialize(tree: JsonTree): string {
  const parts: string[] = [];
  const write = (node: JsonTree): void => {
    switch (node.t) {
      case 'raw':
        parts.push(
          typeof node.value === 'number' && !Number.isFinite(node.value)
            ? 'null'
            : JSON.stringify(node.value),
        );
        return;
      case 'arr':
        parts.push('[');
        node.items.forEach((item, index) => {
          if (index > 0) parts.push(',');
          write(item);
        });
        parts.push(']');
        return;
      case 'obj':
        parts.push('{');
        node.entries.forEach(([key, value], index) => {
          parts.push(index > 0 ? ',' : '', JSON.stringify(key), ':');
          write(value);
        });
        parts.push('}');
        return;
      case 'deep':
        parts.push((node.objects ? '{"a":' : '[').repeat(node.depth));
        write(node.inner);
        parts.push((node.objects ? '}' : ']').repeat(node.depth));
        return;
    }
  };
  write(tree);
  return parts.join('');
}

/** A parsed JSON value as a tree (for mutating the real partner files). */
export function treeOf(value: unknown): JsonTree {
  if (Array.isArray(value)) return arr(value.map(treeOf));
  if (value && typeof value === 'object')
    return obj(Object.entries(value).map(([key, item]) => [key, treeOf(item)]));
  return raw(value as string | number | boolean | null);
}

export const PROTOTYPE_KEYS = [
  'constructor',
  '__proto__',
  'toString',
  'valueOf',
  'hasOwnProperty',
  'isPrototypeOf',
  'toJSON',
  'prototype',
] as const;

const HOSTILE_CHARS = [
  '\u0000',
  '\u0007',
  '\t',
  '\n',
  '\r',
  '\u001b',
  '\u007f',
  '\u0085',
  '\u00a0',
  '\u2028',
  '\ud800',
  '\udfff',
  '\ufffd',
  '\u202e',
  'a',
  'Z',
  '0',
  '9',
  '.',
  ' ',
  '[',
  ']',
  '(',
  ')',
  '{',
  '}',
  '@',
  ':',
  '/',
  '\\',
  '|',
  ',',
  '"',
  "'",
  '=',
  '-',
  'x',
  'é',
] as const;

const REALISTIC_VALUES = [
  '1.2.3.4',
  '010.1.1.1',
  '10.0.0.0/8',
  '::ffff:192.0.2.1',
  '[2001:db8::1]',
  'evil.example',
  'EVIL[.]example',
  'xn--80ak6aa92e.com',
  'bücher.example',
  'hxxp://evil[.]example:80/a?b#c',
  'http://0x7f.1/',
  'a[at]evil(.)example',
  'd41d8cd98f00b204e9800998ecf8427e',
  'da39a3ee5e6b4b0d3255bfef95601890afd80709',
  'e3b0c44298fc1c149afbf4c8996fb92427ae41e4649b934ca495991b7852b855',
  '2026-01-02T03:04:05Z',
  '2026-02-30',
  '9999-12-31T23:59:59-01:00',
  '1767225600',
  'tlp:amber',
  'TLP:RED',
  'amber+strict',
  'misp-galaxy:malpedia="Emotet"',
  'marking-definition--f88d31f6-486f-44da-b317-01333bde0b82',
  'marking-definition--613f2e26-407d-48c7-9eca-b8e91df99dc9',
  'indicator--1',
  'malware--1',
  '',
] as const;

export const hostileChar = fc.constantFrom(...HOSTILE_CHARS);

/** Long strings: whitespace runs around dots and brackets (what made refang quadratic), and values over the limits. */
export const longString: fc.Arbitrary<string> = fc.oneof(
  fc
    .tuple(fc.integer({ min: 100, max: 5000 }), fc.constantFrom('.', '[', '[.]', '(dot)', 'x'))
    .map(([length, middle]) => `a${' '.repeat(length)}${middle}${' '.repeat(length)}b`),
  fc
    .tuple(
      fc.constantFrom(257, 2049, 4097, 8193, 9000, 70_000),
      fc.constantFrom('http://a.example/', 'a', 't'),
    )
    .map(([length, prefix]) => prefix + 'a'.repeat(length)),
);

/** Megabyte strings, drawn once per message at most (they dominate the time of a run). */
export const hugeString: fc.Arbitrary<string> = fc
  .tuple(fc.constantFrom(1 << 20, 3 << 20), fc.constantFrom(' ', 'a', '[ . ] '))
  .map(([length, unit]) => `http://a.example/${unit.repeat(Math.ceil(length / unit.length))}x`);

/** Strings a partner could send, from realistic to adversarial. */
export const hostileString: fc.Arbitrary<string> = fc.oneof(
  { arbitrary: fc.constantFrom(...REALISTIC_VALUES), weight: 12 },
  { arbitrary: fc.string({ unit: hostileChar, maxLength: 40 }), weight: 12 },
  { arbitrary: fc.constantFrom(...PROTOTYPE_KEYS), weight: 6 },
  { arbitrary: fc.string({ maxLength: 30 }), weight: 4 },
  { arbitrary: longString, weight: 1 },
);

export const hostileNumber: fc.Arbitrary<number> = fc.oneof(
  fc.constantFrom(
    1e20,
    9e15,
    8.64e15,
    253402300799999,
    253402300800000,
    1e11,
    99_999_999_999,
    1767225600,
    1767225600000,
    -1,
    -62135596800000,
    0,
    -0,
    0.5,
    101,
    Number.MAX_SAFE_INTEGER,
    Number.MAX_VALUE,
    5e-324,
  ),
  fc.integer(),
  fc.double({ noNaN: true, noDefaultInfinity: true }),
);

const scalar: fc.Arbitrary<JsonTree> = fc.oneof(
  { arbitrary: hostileString.map(raw), weight: 6 },
  { arbitrary: hostileNumber.map(raw), weight: 3 },
  { arbitrary: fc.constantFrom(true, false, null).map(raw), weight: 1 },
);

/** Nesting far beyond the depth limit (a million levels is 2 MB): drawn rarely, once per message. */
export const veryDeep: fc.Arbitrary<JsonTree> = fc
  .tuple(fc.constantFrom(100_000, 1_000_000), fc.boolean(), scalar)
  .map(([depth, objects, inner]): JsonTree => ({ t: 'deep', depth, objects, inner }));

/** Any JSON tree, with prototype keys, and now and then nesting around the depth limit. */
export const hostileTree: fc.Arbitrary<JsonTree> = fc.letrec<{ tree: JsonTree }>((tie) => ({
  tree: fc.oneof(
    { depthSize: 'small', withCrossShrink: true },
    { arbitrary: scalar, weight: 8 },
    { arbitrary: fc.array(tie('tree'), { maxLength: 4 }).map(arr), weight: 2 },
    {
      arbitrary: fc
        .array(fc.tuple(fc.oneof(fc.constantFrom(...PROTOTYPE_KEYS), hostileString), tie('tree')), {
          maxLength: 4,
        })
        .map(obj),
      weight: 2,
    },
    {
      arbitrary: fc
        .tuple(fc.constantFrom(62, 63, 64, 65, 200), fc.boolean(), scalar)
        .map(([depth, objects, inner]): JsonTree => ({ t: 'deep', depth, objects, inner })),
      weight: 1,
    },
  ),
})).tree;

/** An object with keys from `fields` (plus prototype keys), each a plausible value or a hostile one. */
export function hostileObject(fields: Record<string, fc.Arbitrary<JsonTree>>): fc.Arbitrary<JsonTree> {
  const names = Object.keys(fields);
  return fc
    .array(
      fc.oneof(
        {
          arbitrary: fc.constantFrom(...names).chain((name) => fc.tuple(fc.constant(name), fields[name]!)),
          weight: 6,
        },
        { arbitrary: fc.tuple(fc.constantFrom(...names), hostileTree), weight: 2 },
        { arbitrary: fc.tuple(fc.constantFrom(...PROTOTYPE_KEYS), hostileTree), weight: 1 },
      ),
      { maxLength: 12 },
    )
    .map(obj);
}

export const oneOfStrings = (...values: string[]): fc.Arbitrary<JsonTree> =>
  fc.oneof(
    { arbitrary: fc.constantFrom(...values).map(raw), weight: 4 },
    { arbitrary: hostileString.map(raw), weight: 1 },
  );
export const listOf = (item: fc.Arbitrary<JsonTree>, maxLength = 4): fc.Arbitrary<JsonTree> =>
  fc.array(item, { maxLength }).map(arr);
