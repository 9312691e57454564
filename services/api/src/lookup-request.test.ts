import { InvalidRequestError } from '@dragnet/lookup';
import { describe, expect, it } from 'vitest';
import { completeLookupResult, nestingDepth, parseLookupBody } from './lookup-request.js';

const codeOf = (text: string): string | null => {
  try {
    parseLookupBody(text);
    return null;
  } catch (caught) {
    if (caught instanceof InvalidRequestError) return caught.code;
    throw caught;
  }
};

describe('parseLookupBody', () => {
  it.each([
    ['{"toString":1}', 'invalid_body'],
    ['{"__proto__":{"observables":["1.2.3.4"]}}', 'invalid_body'],
    ['{"constructor":{"observables":["1.2.3.4"]}}', 'invalid_body'],
    ['{"observables":{"length":1,"0":"1.2.3.4"}}', 'invalid_body'],
    ['[["1.2.3.4"]]', 'invalid_body'],
    ['null', 'invalid_body'],
    ['{"observables": [', 'malformed_json'],
    [`{"observables":[${'['.repeat(8)}${']'.repeat(8)}]}`, 'invalid_body'],
  ])('%s is %s', (text, code) => {
    expect(codeOf(text)).toBe(code);
  });

  it('passes strings on, refuses non-strings and over-long strings by request index', () => {
    const long = `1.2.3.4${' '.repeat(8_186)}`; // 8,193 characters
    const request = parseLookupBody(
      JSON.stringify({ observables: ['a', { toString: 1 }, long, 'b', null, ' '.repeat(8_192), [1]] }),
    );
    expect(request.count).toBe(7);
    expect(request.observables).toEqual(['a', 'b', ' '.repeat(8_192)]);
    expect(request.positions).toEqual([0, 3, 5]);
    expect(request.refused.map(({ index, reason, input }) => [index, reason, input])).toEqual([
      [1, 'not_a_string', '[object]'],
      [2, 'too_long', `${long.slice(0, 64)}…`],
      [4, 'not_a_string', 'null'],
      [6, 'not_a_string', '[array]'],
    ]);
  });

  it('counts more than 10,000 observables as too many even when none is a string', () => {
    expect(codeOf(JSON.stringify({ observables: Array.from({ length: 10_001 }, () => 1) }))).toBe(
      'too_many_observables',
    );
  });
});

describe('completeLookupResult', () => {
  it('maps the lookup’s indices back to the request and merges both lists in order', () => {
    const request = parseLookupBody('{"observables":[1,"x",2,"y","z",3]}');
    const merged = completeLookupResult(request, {
      matches: [],
      unknown: ['z'],
      invalid: [
        { index: 0, input: 'x', reason: 'unsupported_type', message: '' },
        { index: 1, input: 'y', reason: 'unsupported_type', message: '' },
      ],
    });
    expect(merged.invalid.map(({ index, input }) => [index, input])).toEqual([
      [0, '1'],
      [1, 'x'],
      [2, '2'],
      [3, 'y'],
      [5, '3'],
    ]);
    expect(merged.unknown).toEqual(['z']);
  });
});

describe('nestingDepth', () => {
  it('counts brackets outside strings only, escapes included', () => {
    expect(nestingDepth('{"a":[[1]]}')).toBe(3);
    expect(nestingDepth('{"a":"[[[[{{{{"}')).toBe(1);
    expect(nestingDepth('{"a":"\\"[[[["}')).toBe(1);
    expect(nestingDepth('[]'.repeat(100))).toBe(1);
    expect(nestingDepth('['.repeat(1_000), 8)).toBe(9);
  });
});
