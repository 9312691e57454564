import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { type FeedFormat, parseFeedMessage } from './index.js';
import { repairJson } from './lenient-json.js';
import { parseStixPattern } from './stix-pattern.js';
import { classifyMarking, parseTlp } from './tlp.js';

const context = {
  provider: 'p',
  feedName: 'f',
  defaultTlp: 'clear' as const,
  topic: 't',
  partition: 0,
  offset: '0',
  receivedAt: Date.UTC(2026, 0, 1),
};
const parse = (text: string | Buffer, format: FeedFormat) =>
  parseFeedMessage(typeof text === 'string' ? Buffer.from(text) : text, format, context);
const reasons = (result: ReturnType<typeof parse>) => result.rejects.map((reject) => reject.reason);

describe('almost-JSON keeps its records, with a lenient_json warning', () => {
  const misp = `{"Event": {"info": "x", "Attribute": [
    {"type": "domain", "value": "evil.com", "uuid": "u1"},
    {"type": "ip-dst", "value": "192.0.2.1", "uuid": "u2"},
  ],}}`;
  const stix = `{"type": "bundle", "objects": [
    {"type": "ipv4-addr", "id": "ipv4-addr--1", "value": "192.0.2.2", "x_score": NaN},
    {"type": "domain-name", "id": "domain-name--1", "value": "evil.org", "x_max": -Infinity},
  ]}`;

  it('MISP with trailing commas', () => {
    const result = parse(misp, { type: 'misp' });
    expect(result.indicators.map((item) => item.value)).toEqual(['evil.com', '192.0.2.1']);
    expect(result.rejects).toMatchObject([{ reason: 'lenient_json', location: 'message', value: null }]);
    expect(result.rejects[0]!.message).toMatch(/trailing comma removed ×2/);
  });

  it('STIX with NaN, -Infinity and a trailing comma', () => {
    const result = parse(stix, { type: 'stix' });
    expect(result.indicators.map((item) => item.value)).toEqual(['192.0.2.2', 'evil.org']);
    expect(reasons(result)).toEqual(['lenient_json']);
  });

  it('BOMs beyond the first one the decoder skips', () => {
    const bom = Buffer.from([0xef, 0xbb, 0xbf]);
    const bytes = Buffer.concat([
      bom,
      bom,
      Buffer.from(misp.replaceAll(',\n  ]', '\n  ]').replace('],}}', ']}}')),
    ]);
    const result = parse(bytes, { type: 'misp' });
    expect(result.indicators).toHaveLength(2);
    expect(result.rejects[0]!.message).toMatch(/byte-order mark removed/);
  });

  it('strict JSON gets no warning; real garbage stays invalid_json', () => {
    expect(parse('{"Event": {"Attribute": []}}', { type: 'misp' }).rejects).toEqual([]);
    expect(reasons(parse('{"Event": {"Attribute": [,,]', { type: 'misp' }))).toEqual(['invalid_json']);
    expect(reasons(parse("{'Event': {}}", { type: 'misp' }))).toEqual(['invalid_json']);
  });

  it('never rewrites inside strings', () => {
    expect(repairJson('{"a": "x,]", "b": "NaN,}"}').counts.size).toBe(0);
    expect(repairJson('{"NaNa": NaNa}').text).toBe('{"NaNa": NaNa}');
  });

  it('is linear: a 4 MiB run of commas is repaired in well under a second', () => {
    const text = `[1${','.repeat(4 * 1024 * 1024)}]`;
    const started = performance.now();
    repairJson(text);
    expect(performance.now() - started).toBeLessThan(2_000);
  });

  it('on strict JSON the repair is the identity (property)', () => {
    fc.assert(
      fc.property(fc.jsonValue(), (value) => {
        const text = JSON.stringify(value);
        expect(repairJson(text).text).toBe(text);
      }),
    );
  });
});

describe('TLP spellings partners use', () => {
  it.each([
    ['tlp amber', 'amber'],
    ['TLP AMBER', 'amber'],
    ['TLP:AMBER+STRICT', 'amber+strict'],
    ['tlp:amber strict', 'amber+strict'],
    ['amber', 'amber'],
    ['white', 'clear'],
    ['TLP:WHITE', 'clear'],
    ['tlp:clear', 'clear'],
    ['TLP-RED', 'red'],
    ['tlp_green', 'green'],
    [' TLP : GREEN ', 'green'],
  ])('%s → %s', (text, level) => expect(parseTlp(text)).toBe(level));

  it('PAP marks are not TLP; unknown tlp-prefixed marks are unknown markings', () => {
    expect(classifyMarking('PAP:AMBER')).toEqual({ type: 'pap', text: 'PAP:AMBER' });
    expect(classifyMarking('tlp:amberish')).toEqual({ type: 'unknown', text: 'tlp:amberish' });
    expect(classifyMarking('apt28')).toEqual({ type: 'none' });
    expect(classifyMarking('purple', true)).toEqual({ type: 'unknown', text: 'purple' });
  });

  it('MISP: spelled TLP tags mark, PAP tags stay tags, an unknown marking is a warning and a tag', () => {
    const event = {
      Event: {
        Tag: [{ name: 'TLP AMBER' }, { name: 'PAP:GREEN' }],
        Attribute: [
          { type: 'domain', value: 'a.com', uuid: 'u1' },
          { type: 'domain', value: 'b.com', uuid: 'u2', Tag: [{ name: 'tlp:ex:chr' }] },
        ],
      },
    };
    const result = parse(JSON.stringify(event), { type: 'misp' });
    expect(result.indicators.map((item) => [item.value, item.tlp, item.tags])).toEqual([
      ['a.com', 'amber', ['PAP:GREEN']],
      ['b.com', 'amber', ['PAP:GREEN', 'tlp:ex:chr']],
    ]);
    expect(result.rejects).toMatchObject([
      { reason: 'unknown_marking', location: 'Attribute[1] u2 marking' },
    ]);
  });

  it('CSV: an unknown TLP column keeps the record, at AMBER at least', () => {
    const result = parse('evil.com,Purple\nb.com,TLP:RED\n', {
      type: 'csv',
      valueColumn: 0,
      fixedKind: 'domain',
      tlpColumn: 1,
    });
    expect(result.indicators.map((item) => [item.value, item.tlp, item.tags])).toEqual([
      ['evil.com', 'amber', ['Purple']],
      ['b.com', 'red', []],
    ]);
    expect(reasons(result)).toEqual(['unknown_marking']);
  });

  it('STIX: a TLP marking definition in the bundle that names no level is a warning, not a loss', () => {
    const bundle = {
      type: 'bundle',
      objects: [
        {
          type: 'marking-definition',
          id: 'marking-definition--x',
          definition_type: 'tlp',
          name: 'TLP:PURPLE',
        },
        {
          type: 'domain-name',
          id: 'domain-name--1',
          value: 'evil.com',
          object_marking_refs: ['marking-definition--x'],
        },
      ],
    };
    const result = parse(JSON.stringify(bundle), { type: 'stix' });
    expect(result.indicators.map((item) => [item.value, item.tlp, item.tags])).toEqual([
      ['evil.com', 'amber', ['TLP:PURPLE']],
    ]);
    expect(reasons(result)).toEqual(['unknown_marking']);
  });
});

describe('STIX patterns: strict grammar, invalid_pattern distinct from unsupported', () => {
  it.each([
    ["[ipv4-addr:value = '1.2.3.4' and ipv4-addr:value = '1.2.3.5']", 'lower-case and'],
    ["[ipv4-addr:value = '1.2.3.4'] or [ipv4-addr:value = '1.2.3.5']", 'lower-case or'],
    ["[ipv4-addr:value like '1.2.%']", 'lower-case like'],
    ["[ipv4-addr:value = '1.2.3.4'", 'unbalanced ['],
    ["([ipv4-addr:value = '1.2.3.4']", 'unbalanced ('],
    ["[ipv4-addr:value = '1.2.3.4']]", 'stray ]'],
    ["[ipv4-addr:value = '1.2.3.4] ", 'unterminated string'],
    ["[ipv4-addr:value = '1.2.3.4'] within 5 seconds", 'lower-case qualifier'],
    ['[ipv4-addr:value = ]', 'missing value'],
  ])('%s is invalid_pattern (%s)', (pattern) => {
    expect(parseStixPattern(pattern)).toMatchObject({ ok: false, reason: 'invalid_pattern' });
  });

  it('upper-case keywords and lower-case properties named like keywords still parse', () => {
    for (const pattern of [
      "[ipv4-addr:value = '1.2.3.4' AND ipv4-addr:value = '1.2.3.5']",
      "[network-traffic:start = t'2026-01-01T00:00:00Z']",
      "[ipv4-addr:value LIKE '1.2.%'] WITHIN 5 SECONDS",
      '[x509-certificate:is_self_signed = TRUE]',
    ])
      expect(parseStixPattern(pattern).ok, pattern).toBe(true);
  });

  it('the message names the keyword to write', () => {
    const result = parseStixPattern("[ipv4-addr:value = '1.2.3.4' and ipv4-addr:value = '1.2.3.5']");
    expect(!result.ok && result.message).toMatch(/keywords are upper case: AND/);
  });
});
