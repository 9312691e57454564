import { describe, expect, it } from 'vitest';
import { parseStixPattern, renderPath } from './stix-pattern.js';

const comparisonsOf = (pattern: string) => {
  const parsed = parseStixPattern(pattern);
  if (!parsed.ok) throw new Error(parsed.message);
  return parsed.comparisons.map((c) => [
    renderPath(c),
    `${c.negated ? 'NOT ' : ''}${c.operator}`,
    c.literal && 'value' in c.literal ? c.literal.value : (c.literal?.type ?? null),
  ]);
};

describe('STIX patterning: the grammar', () => {
  it.each([
    ["[ipv4-addr:value = '1.2.3.4']", [['ipv4-addr:value', '=', '1.2.3.4']]],
    ["[file:hashes.'SHA-256' = 'abc']", [["file:hashes.'SHA-256'", '=', 'abc']]],
    ["[file:hashes.MD5 = 'x']", [['file:hashes.MD5', '=', 'x']]],
    [
      "[url:value = 'http://a/'] OR [domain-name:value = 'b.com']",
      [
        ['url:value', '=', 'http://a/'],
        ['domain-name:value', '=', 'b.com'],
      ],
    ],
    [
      "[file:hashes.MD5 = 'x' AND file:name = 'it\\'s \\\\ ok']",
      [
        ['file:hashes.MD5', '=', 'x'],
        ['file:name', '=', "it's \\ ok"],
      ],
    ],
    [
      "([ipv4-addr:value = '1.1.1.1'] OR [ipv4-addr:value = '2.2.2.2']) AND [url:value = 'http://x/']",
      [
        ['ipv4-addr:value', '=', '1.1.1.1'],
        ['ipv4-addr:value', '=', '2.2.2.2'],
        ['url:value', '=', 'http://x/'],
      ],
    ],
    [
      "[(file:name = 'a' OR file:name = 'b') AND email:subject = 'c']",
      [
        ['file:name', '=', 'a'],
        ['file:name', '=', 'b'],
        ['email:subject', '=', 'c'],
      ],
    ],
    [
      "[domain-name:resolves_to_refs[*].value = '198.51.100.1']",
      [['domain-name:resolves_to_refs[*].value', '=', '198.51.100.1']],
    ],
    [
      '[x509-certificate:is_self_signed = true AND network-traffic:dst_port = 443 AND process:pid > -1]',
      [
        ['x509-certificate:is_self_signed', '=', true],
        ['network-traffic:dst_port', '=', 443],
        ['process:pid', '>', -1],
      ],
    ],
    [
      "[process:name NOT MATCHES '^evil' AND file:name LIKE '%.exe' AND ipv4-addr:value != '10.0.0.1']",
      [
        ['process:name', 'NOT MATCHES', '^evil'],
        ['file:name', 'LIKE', '%.exe'],
        ['ipv4-addr:value', '!=', '10.0.0.1'],
      ],
    ],
    ['[network-traffic:dst_port IN (80, 443)]', [['network-traffic:dst_port', 'IN', 'set']]],
    ['[EXISTS windows-registry-key:values]', [['windows-registry-key:values', 'EXISTS', null]]],
    ["[artifact:payload_bin = b'AAAA']", [['artifact:payload_bin', '=', 'AAAA']]],
  ])('%s', (pattern, expected) => expect(comparisonsOf(pattern)).toEqual(expected));

  it('reports temporal constructs (FOLLOWEDBY, WITHIN, REPEATS, START/STOP)', () => {
    const temporal = (pattern: string) => {
      const parsed = parseStixPattern(pattern);
      return parsed.ok ? parsed.temporal : parsed.message;
    };
    expect(temporal("[ipv4-addr:value = '1.2.3.4'] FOLLOWEDBY [domain-name:value = 'a.com']")).toEqual([
      'FOLLOWEDBY',
    ]);
    expect(temporal("[ipv4-addr:value = '1.2.3.4'] WITHIN 10 SECONDS")).toEqual(['WITHIN']);
    expect(temporal("[file:name = 'a'] REPEATS 5 TIMES")).toEqual(['REPEATS']);
    expect(temporal("[file:name = 'a'] START t'2016-06-01T00:00:00Z' STOP t'2016-07-01T00:00:00Z'")).toEqual([
      'START/STOP',
    ]);
    expect(temporal("[ipv4-addr:value = '1.2.3.4']")).toEqual([]);
  });

  it.each([
    ["[ipv4-addr:value = '1.2.3.4'", /expected \] to close the observation/],
    ["[ipv4-addr:value = '1.2.3.4", /unterminated string literal/],
    ["[ipv4-addr:value = 'a\\n']", /invalid escape \\n/],
    ["[ipv4-addr:value '1.2.3.4']", /expected a comparison operator/],
    ["ipv4-addr:value = '1.2.3.4'", /expected \[ to open an observation/],
    ["[ipv4-addr:value = '1.2.3.4'] garbage", /unexpected "garbage"/],
    ["[value = '1']", /expected : after object type value/],
    ["[a:b = '1'] WITHIN x SECONDS", /expected a number after WITHIN/],
    ['[a:b = ?]', /unexpected character "\?"/],
  ])('refuses %s with the reason', (pattern, message) => {
    const parsed = parseStixPattern(pattern);
    expect(parsed.ok).toBe(false);
    expect(!parsed.ok && parsed.message).toMatch(message);
  });
});
