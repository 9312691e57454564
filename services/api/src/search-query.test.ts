import { InvalidRequestError } from '@dragnet/lookup';
import { describe, expect, it } from 'vitest';
import { checkSearchQuery } from './search-query.js';

const refusal = (query: string): string | null => {
  try {
    checkSearchQuery(query);
    return null;
  } catch (caught) {
    if (caught instanceof InvalidRequestError) return caught.code;
    throw caught;
  }
};

describe('checkSearchQuery', () => {
  it.each([
    ['dragnet.value:/.*evil.*/', 'regex_not_allowed'],
    ['a AND /b/', 'regex_not_allowed'],
    ['"closed phrase" /x/', 'regex_not_allowed'],
    ['evil~', 'fuzzy_not_allowed'],
    ['evil~2', 'fuzzy_not_allowed'],
    ['"two words"~4', 'fuzzy_not_allowed'],
    ['\\\\~', 'fuzzy_not_allowed'], // an escaped backslash, then a live ~
    [`${'('.repeat(33)}a${')'.repeat(33)}`, 'query_too_deep'],
    ['x'.repeat(4_097), 'query_too_long'],
  ])('refuses %s with %s', (query, code) => {
    expect(refusal(query)).toBe(code);
  });

  it.each([
    '',
    'evil.example.com',
    'threat.indicator.type:url AND dragnet.score:>=70',
    'dragnet.value:"http://malware.example.net/a~b"',
    'dragnet.value:http\\:\\/\\/malware.example.net\\/x',
    'dragnet.value:evil\\~1',
    'dragnet.score:[70 TO *]',
    'dragnet.value:evil.exam*',
    `${'('.repeat(32)}a${')'.repeat(32)}`,
    // Closing parentheses do not lower the depth below zero: depth stays bounded by opens.
    `${')'.repeat(40)}${'('.repeat(32)}a`,
    'x'.repeat(4_096),
  ])('accepts %s', (query) => {
    expect(refusal(query)).toBeNull();
  });

  it('is linear: a 4,096-character query is checked in well under a millisecond each', () => {
    const query = '"a" '.repeat(1_024);
    const started = performance.now();
    for (let i = 0; i < 1_000; i++) checkSearchQuery(query);
    expect(performance.now() - started).toBeLessThan(1_000);
  });
});
