/**
 * Regression tests for the failures a 500,000-input fuzz audit reproduced:
 * prototype keys, unbounded recursion, out-of-range dates, quadratic
 * refanging, control characters and unbounded free text. Each one threw,
 * hung or produced an unbounded document before the fix.
 */
import { describe, expect, it } from 'vitest';
import { decodeReport, encodePartnerBatch, encodeReport } from '../avro.js';
import { canonicalize } from '../canonicalize.js';
import {
  MAX_DESCRIPTION_LENGTH,
  MAX_FEED_NAME_LENGTH,
  MAX_JSON_DEPTH,
  MAX_REJECT_LOCATION_LENGTH,
  MAX_REJECT_MESSAGE_LENGTH,
  MAX_TAG_LENGTH,
  MAX_TAGS,
  MAX_THREAT_NAMES,
  MAX_VALUE_LENGTH,
} from '../limits.js';
import { type ParseResult, REJECT_REASONS } from '../model.js';
import { refang } from '../refang.js';
import { parseDate } from './dates.js';
import { type FeedFormat, parseFeedMessage } from './index.js';
import { parseStixPattern } from './stix-pattern.js';

const context = {
  provider: 'cert',
  feedName: 'feed',
  defaultTlp: 'amber' as const,
  topic: 'feeds.cert',
  partition: 0,
  offset: '7',
  receivedAt: Date.UTC(2026, 0, 1),
};
const STIX: FeedFormat = { type: 'stix' };
const MISP: FeedFormat = { type: 'misp' };
const AVRO: FeedFormat = { type: 'avro', schemaVersion: 2 };
const csv = (extra: Partial<Extract<FeedFormat, { type: 'csv' }>> = {}): FeedFormat => ({
  type: 'csv',
  valueColumn: 0,
  ...extra,
});

/** Parses and checks what every downstream stage relies on: encodable reports with printable dates. */
function parse(input: string | Buffer, format: FeedFormat): ParseResult {
  const result = parseFeedMessage(typeof input === 'string' ? Buffer.from(input) : input, format, context);
  for (const indicator of result.indicators) {
    decodeReport(encodeReport(indicator));
    for (const date of [indicator.firstSeen, indicator.lastSeen, indicator.validUntil])
      if (date !== null) new Date(date).toISOString();
  }
  for (const reject of result.rejects) expect(REJECT_REASONS).toContain(reject.reason);
  return result;
}
const reasons = (result: ParseResult) => result.rejects.map((reject) => reject.reason);
const bundle = (...objects: unknown[]) => JSON.stringify({ type: 'bundle', id: 'bundle--1', objects });
const indicator = (extra: Record<string, unknown>) => ({
  type: 'indicator',
  id: 'indicator--1',
  pattern: "[ipv4-addr:value = '1.2.3.4']",
  ...extra,
});
const mispEvent = (event: Record<string, unknown>) => JSON.stringify({ Event: event });
const mispDomain = (extra: Record<string, unknown> = {}) => ({
  type: 'domain',
  value: 'evil.example',
  ...extra,
});
const nested = (depth: number, inner = '1') => `${'['.repeat(depth)}${inner}${']'.repeat(depth)}`;

describe('prototype keys in partner JSON are data, never lookups', () => {
  it.each(['constructor', 'toString', '__proto__', 'hasOwnProperty'])(
    'STIX object_marking_refs [%j] is an unknown marking: the partner default applies',
    (ref) => {
      const result = parse(bundle(indicator({ object_marking_refs: [ref] })), STIX);
      expect(result.indicators).toMatchObject([{ value: '1.2.3.4', tlp: 'amber' }]);
    },
  );

  it('STIX external_references with null and non-object entries are skipped', () => {
    const result = parse(
      bundle(indicator({ external_references: [null, 7, 'x', { url: 'https://a.example/r' }] })),
      STIX,
    );
    expect(result.indicators).toMatchObject([{ reference: 'https://a.example/r' }]);
  });

  it('STIX fields holding objects with a toString/valueOf key are rejected or ignored, not converted', () => {
    const hostile = { toString: 1, valueOf: 1 };
    const result = parse(
      bundle(
        indicator({ confidence: hostile }),
        { type: 'relationship', relationship_type: 'indicates', source_ref: hostile, target_ref: hostile },
        { type: hostile, id: 'x--1', value: 'a.example' },
        { type: 'file', id: 'file--1', hashes: { 'SHA-256': hostile, toString: 'x' } },
        { type: 'marking-definition', id: 'marking-definition--x', name: hostile },
        indicator({ id: 'indicator--2', object_marking_refs: ['marking-definition--x'] }),
      ),
      STIX,
    );
    expect(reasons(result)).toEqual(['invalid_confidence', 'empty_value']);
    expect(result.indicators).toHaveLength(1);
  });

  it.each(['constructor', 'toString', '__proto__', 'valueOf'])(
    'MISP attribute type %j is unsupported',
    (type) => {
      const result = parse(mispEvent({ Attribute: [{ type, value: 'evil.example' }] }), MISP);
      expect(reasons(result)).toEqual(['unsupported_type']);
    },
  );

  it('MISP galaxy types, categories and dates holding objects with a toString key do not throw', () => {
    const hostile = { toString: 1 };
    const result = parse(
      mispEvent({
        date: hostile,
        Galaxy: [{ type: hostile, GalaxyCluster: [{ value: 'X' }] }],
        Attribute: [mispDomain({ category: hostile }), { type: 'link', category: hostile, value: 'x' }],
      }),
      MISP,
    );
    // The hostile date is rejected as a value; the domain is kept, the link is a reference.
    expect(reasons(result)).toEqual(['invalid_date', 'not_an_indicator']);
    expect(result.indicators).toHaveLength(1);
    const ok = parse(
      mispEvent({ Galaxy: [{ type: hostile }], Attribute: [{ type: 'link', category: hostile }] }),
      MISP,
    );
    expect(reasons(ok)).toEqual(['not_an_indicator']);
  });
});

describe('nesting and size are bounded', () => {
  it.each([
    ['MISP', MISP],
    ['STIX', STIX],
  ] as const)('%s: 100,000 nested arrays are one too_deep reject', (_name, format) => {
    const result = parse(nested(100_000), format);
    expect(result.rejects).toMatchObject([{ reason: 'too_deep', location: 'message', value: null }]);
  });

  it(`accepts JSON nested ${MAX_JSON_DEPTH} deep and rejects one level more`, () => {
    const deepEvent = (depth: number) =>
      mispEvent({ info: JSON.parse(nested(depth - 2, '"x"')), Attribute: [mispDomain()] });
    expect(parse(deepEvent(MAX_JSON_DEPTH), MISP).indicators).toHaveLength(1);
    expect(reasons(parse(deepEvent(MAX_JSON_DEPTH + 1), MISP))).toEqual(['too_deep']);
  });

  it('brackets inside JSON strings do not count as nesting', () => {
    const result = parse(mispEvent({ info: '[{'.repeat(1000), Attribute: [mispDomain()] }), MISP);
    expect(result.indicators).toHaveLength(1);
  });

  it('a STIX pattern with 10,000 nested parentheses is a too_deep reject of its indicator', () => {
    const pattern = `${'('.repeat(10_000)}[ipv4-addr:value = '1.2.3.4']${')'.repeat(10_000)}`;
    expect(parseStixPattern(pattern)).toMatchObject({ ok: false, reason: 'too_deep' });
    const result = parse(bundle(indicator({ pattern }), indicator({ id: 'indicator--2' })), STIX);
    expect(reasons(result)).toEqual(['too_deep']);
    expect(result.indicators).toHaveLength(1);
  });

  it('a 100 KiB STIX pattern is a too_large reject', () => {
    const pattern = `[ipv4-addr:value = '1.2.3.4'${" OR ipv4-addr:value = '1.2.3.4'".repeat(4000)}]`;
    expect(reasons(parse(bundle(indicator({ pattern })), STIX))).toEqual(['too_large']);
  });

  it('a message over 16 MiB is one too_large reject', () => {
    const result = parse(Buffer.alloc(16 * 1024 * 1024 + 1, 0x20), csv());
    expect(result.rejects).toMatchObject([{ reason: 'too_large', location: 'message' }]);
  });
});

describe('dates out of the years 1970–9999 are invalid_date, never a RangeError downstream', () => {
  it.each([1e20, 9e15, 253402300800000, -1, Number.MAX_SAFE_INTEGER])('parseDate(%d)', (value) => {
    expect(parseDate(value)).toBe('invalid');
  });

  it('accepts the last millisecond of 9999', () => {
    expect(parseDate(253402300799999)).toBe(253402300799999);
    expect(parseDate('9999-12-31T23:59:59.999Z')).toBe(253402300799999);
    expect(parseDate('9999-12-31T23:59:59-01:00')).toBe('invalid');
  });

  it('STIX valid_from 1e20 and MISP timestamp 1e20 reject the value only: records kept, dated in range', () => {
    const stix = parse(bundle(indicator({ valid_from: 1e20 }), indicator({ id: 'indicator--2' })), STIX);
    expect(reasons(stix)).toEqual(['invalid_date']);
    expect(stix.indicators).toHaveLength(2);
    const misp = parse(mispEvent({ Attribute: [mispDomain({ timestamp: 1e20 }), mispDomain()] }), MISP);
    expect(reasons(misp)).toEqual(['invalid_date']);
    expect(misp.indicators).toHaveLength(2);
    for (const report of [...stix.indicators, ...misp.indicators]) {
      expect(() => new Date(report.firstSeen).toISOString()).not.toThrow();
      expect(() => new Date(report.lastSeen).toISOString()).not.toThrow();
    }
  });

  it('Avro last_seen 9e15 and valid_until -5 reject those values, not the records or the batch', () => {
    const bytes = encodePartnerBatch([
      { type: 'ipv4', value: '1.1.1.1', last_seen: 9e15 },
      { type: 'ipv4', value: '2.2.2.2', valid_until: -5 },
      { type: 'ipv4', value: '3.3.3.3', first_seen: Date.UTC(2026, 0, 1) },
    ]);
    const result = parse(bytes, AVRO);
    expect(reasons(result)).toEqual(['invalid_date', 'invalid_date']);
    expect(result.indicators.map((item) => item.value)).toEqual(['1.1.1.1', '2.2.2.2', '3.3.3.3']);
    expect(result.indicators[1]!.validUntil).toBeNull();
    expect(result.indicators.every((item) => item.lastSeen <= 253_402_300_799_999)).toBe(true);
  });
});

describe('refanging is linear and values are bounded', () => {
  it('refangs 1 MiB of whitespace runs around dots and brackets quickly (was 32 s for 64 KiB)', () => {
    const runs = `a${`${' '.repeat(4096)}.${' '.repeat(4096)}[ b`.repeat(64)}`;
    expect(runs.length).toBeGreaterThan(512 * 1024);
    const start = performance.now();
    refang(runs);
    refang(`a${' '.repeat(1024 * 1024)}b`);
    refang(`a${' '.repeat(1024 * 1024)}.b`);
    // Generous: a linear scan takes milliseconds; the quadratic regexes took hours at this size.
    expect(performance.now() - start).toBeLessThan(2000);
  });

  it('still refangs every notation it did', () => {
    expect(refang('hxxp://evil[.]com')).toBe('http://evil.com');
    expect(refang('evil . com')).toBe('evil.com');
    expect(refang('evil .com')).toBe('evil.com');
    expect(refang('a [ at ] b ( dot ) c')).toBe('a@b.c');
    expect(refang('hxxps[://]evil{.}com[/]x')).toBe('https://evil.com/x');
    expect(refang('evil\\.com')).toBe('evil.com');
    expect(refang('two words . here')).toBe('two words . here');
  });

  it(`a 3 MiB URL is value_too_long; ${MAX_VALUE_LENGTH} characters are still read`, () => {
    const huge = `http://evil.example/${'a'.repeat(3 * 1024 * 1024)}`;
    const result = parse(`${huge}\nhttp://evil.example/ok\n`, csv({ fixedKind: 'url' }));
    expect(reasons(result)).toEqual(['value_too_long']);
    expect(result.rejects[0]!.value!.length).toBeLessThanOrEqual(201);
    expect(result.indicators).toHaveLength(1);
    const longest = `http://evil.example/${'a'.repeat(MAX_VALUE_LENGTH - 20)}`;
    expect(canonicalize('url', longest)).toMatchObject({ ok: true });
    expect(canonicalize('url', `${longest}a`)).toMatchObject({ ok: false, reason: 'value_too_long' });
  });
});

describe('control characters and broken encodings', () => {
  it.each([
    ['email', 'a\u0000b@example.com'],
    ['email', 'a\u001bb@example.com'],
    ['url', 'http://ev\til.example/'],
    ['url', 'http://evil.example/\u0000'],
    ['domain', 'evil\u0085.example'],
  ] as const)('%s %j is a control_character reject', (kind, value) => {
    expect(canonicalize(kind, value)).toMatchObject({ ok: false, reason: 'control_character' });
  });

  it('a value with a lone surrogate is invalid_utf8', () => {
    expect(canonicalize('url', 'http://evil.example/\ud800')).toMatchObject({
      ok: false,
      reason: 'invalid_utf8',
    });
  });

  it('tags with control characters are dropped and counted; descriptions lose them', () => {
    const result = parse(
      'evil.example,ok|bad\u0000tag|also\u0007bad,"line one\u0000\nline two\ttabbed"\n',
      csv({ fixedKind: 'domain', tagsColumn: 1, descriptionColumn: 2 }),
    );
    expect(result.indicators).toMatchObject([{ tags: ['ok'], description: 'line one\nline two\ttabbed' }]);
    expect(reasons(result)).toEqual(['control_character', 'control_character']);
    const misp = parse(
      mispEvent({ info: 'two\nlines\u0000', Tag: [{ name: 'x\u0001' }], Attribute: [mispDomain()] }),
      MISP,
    );
    expect(misp.indicators).toMatchObject([{ tags: [], description: 'two\nlines' }]);
  });

  it('invalid UTF-8 in an Avro string rejects that record with invalid_utf8', () => {
    const bytes = encodePartnerBatch([
      { type: 'ipv4', value: '1.1.1.1', tags: ['AAAA'] },
      { type: 'ipv4', value: '2.2.2.2', description: 'BBBB' },
    ]);
    // Replace the tag's "AAAA" with a lone continuation byte and an overlong encoding.
    const at = bytes.indexOf('AAAA');
    bytes.set([0x80, 0xc0, 0xaf, 0x41], at);
    const result = parse(bytes, AVRO);
    expect(result.rejects).toMatchObject([{ reason: 'invalid_utf8', location: 'indicators[0]' }]);
    expect(result.indicators.map((item) => item.value)).toEqual(['2.2.2.2']);
  });
});

describe('free text is bounded per record', () => {
  it('a MISP event with 1,000 tags of 10 KiB and a 5 MiB description yields a small document', () => {
    const tags = Array.from({ length: 1000 }, (_, index) => ({ name: `${index}-${'t'.repeat(10_240)}` }));
    const short = Array.from({ length: 1000 }, (_, index) => ({ name: `tag-${index}` }));
    const result = parse(
      mispEvent({ info: 'd'.repeat(5 * 1024 * 1024), Tag: [...tags, ...short], Attribute: [mispDomain()] }),
      MISP,
    );
    const [report] = result.indicators;
    expect(report!.tags).toHaveLength(MAX_TAGS);
    expect(report!.description!.length).toBeLessThanOrEqual(MAX_DESCRIPTION_LENGTH);
    expect(encodeReport(report!).length).toBeLessThan(64 * 1024);
    expect(new Set(reasons(result))).toEqual(new Set(['field_too_long', 'too_many_items']));
    expect(result.rejects.length).toBeLessThanOrEqual(6);
  });

  it('Avro feed names, threat names and record ids are bounded too', () => {
    const bytes = encodePartnerBatch([
      {
        type: 'ipv4',
        value: '1.1.1.1',
        feed_name: 'f'.repeat(MAX_FEED_NAME_LENGTH + 1),
        threat_names: Array.from({ length: 200 }, (_, index) => `n${index}`),
        record_id: 'r'.repeat(100_000),
        tags: ['t'.repeat(MAX_TAG_LENGTH + 1), 'kept'],
      },
    ]);
    const [report] = parse(bytes, AVRO).indicators;
    expect(report).toMatchObject({ feedName: 'feed', tags: ['kept'], provenance: { recordId: null } });
    expect(report!.threatNames).toHaveLength(MAX_THREAT_NAMES);
  });

  it('reject messages and locations quoting partner text are clipped', () => {
    const id = `indicator--${'x'.repeat(100_000)}`;
    const type = 'y'.repeat(100_000);
    const result = parse(
      bundle(
        indicator({ id, pattern_type: type }),
        indicator({ id: 'indicator--2', pattern: `[${type}:a = 'b']` }),
      ),
      STIX,
    );
    expect(result.rejects).toHaveLength(2);
    for (const reject of result.rejects) {
      expect(reject.message.length).toBeLessThanOrEqual(MAX_REJECT_MESSAGE_LENGTH + 1);
      expect(reject.location.length).toBeLessThanOrEqual(MAX_REJECT_LOCATION_LENGTH + 1);
    }
  });
});
