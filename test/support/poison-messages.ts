import { encodePartnerBatch } from '@dragnet/indicators';

/**
 * Hostile partner messages, one set per format, each with the good values it
 * still carries (they must be indexed) and the reason codes its dead letter
 * must list. Written by hand from the partner formats (README of
 * `@dragnet/indicators`), not produced by the parsers under test.
 */
export interface PoisonMessage {
  partner: string;
  name: string;
  value: Buffer;
  /** Values (already canonical) that must end up indexed although the message is hostile. */
  good: string[];
  /** Reason codes the message's dead letter must count (`rejectCounts`). */
  reasons: string[];
}

const WHITESPACE_RUN = ' '.repeat(5 * 1024 * 1024);
const DEEP = 10_000;
const nestedArrays = (depth: number) => `${'['.repeat(depth)}1${']'.repeat(depth)}`;
/** Bytes that are not UTF-8: a lone continuation byte, an overlong '/', a 0xFF. */
const NOT_UTF8 = Buffer.from([0x80, 0xc0, 0xaf, 0xff]);
const withBadBytes = (text: string, marker: string) => {
  const at = text.indexOf(marker);
  return Buffer.concat([
    Buffer.from(text.slice(0, at)),
    NOT_UTF8,
    Buffer.from(text.slice(at + marker.length)),
  ]);
};

const stixIndicator = (id: string, pattern: string, extra: Record<string, unknown> = {}) => ({
  type: 'indicator',
  spec_version: '2.1',
  id,
  created: '2026-01-01T00:00:00.000Z',
  modified: '2026-01-01T00:00:00.000Z',
  pattern,
  pattern_type: 'stix',
  valid_from: '2026-01-01T00:00:00Z',
  ...extra,
});
const bundle = (objects: unknown[]) =>
  JSON.stringify({ type: 'bundle', id: 'bundle--5d0ab2a4-4a6a-4b6f-9d6a-1c3f2e0b7a11', objects });
const domainPattern = (value: string) => `[domain-name:value = '${value}']`;

export function poisonMessages(): PoisonMessage[] {
  return [
    // --- MISP (eset) ---------------------------------------------------------
    {
      partner: 'eset',
      name: 'MISP event with prototype keys, a 1e20 timestamp and a NUL',
      // Written as text: JSON.stringify would drop a literal __proto__ key.
      value: Buffer.from(
        `{"Event":{"__proto__":{"polluted":true},"constructor":{"prototype":{"polluted":true}},"toString":"x",` +
          `"info":"hostile","Tag":[{"name":"__proto__"},{"name":"constructor"}],"Attribute":[` +
          `{"type":"domain","value":"misp-good-1.example"},` +
          `{"type":"__proto__","value":"proto-type.example"},` +
          `{"type":"constructor","value":"ctor-type.example"},` +
          `{"type":"domain","value":"misp-date.example","timestamp":1e20},` +
          `{"type":"domain","value":"misp-nul\\u0000.example"}]}}`,
      ),
      // A bad date drops the date, not the indicator (the reject is noted: `dateOrNoted`).
      good: ['misp-good-1.example', 'misp-date.example'],
      reasons: ['unsupported_type', 'invalid_date', 'control_character'],
    },
    {
      partner: 'eset',
      name: `MISP event nested ${DEEP} deep`,
      value: Buffer.from(
        `{"Event":{"info":${nestedArrays(DEEP)},"Attribute":[{"type":"domain","value":"deep.example"}]}}`,
      ),
      good: [],
      reasons: ['too_deep'],
    },
    {
      partner: 'eset',
      name: 'MISP event that is not UTF-8',
      value: withBadBytes(
        JSON.stringify({ Event: { Attribute: [{ type: 'domain', value: 'latin-BAD.example' }] } }),
        'BAD',
      ),
      good: [],
      reasons: ['invalid_encoding'],
    },
    {
      partner: 'eset',
      name: 'MISP value carrying a 5 MB whitespace run',
      value: Buffer.from(
        JSON.stringify({
          Event: {
            Attribute: [
              { type: 'domain', value: `misp-ws${WHITESPACE_RUN}.example` },
              { type: 'domain', value: 'misp-good-2.example' },
            ],
          },
        }),
      ),
      good: ['misp-good-2.example'],
      reasons: ['value_too_long'],
    },
    // --- STIX (unit42) ---------------------------------------------------------
    {
      partner: 'unit42',
      name: 'STIX bundle with prototype marking refs, a 1e20 valid_from, deep parentheses and a NUL',
      value: Buffer.from(
        bundle([
          stixIndicator(
            'indicator--0b0f7a2e-0c9e-4c1a-9d0e-000000000001',
            domainPattern('stix-good-1.example'),
          ),
          stixIndicator(
            'indicator--0b0f7a2e-0c9e-4c1a-9d0e-000000000002',
            domainPattern('stix-proto.example'),
            {
              object_marking_refs: ['__proto__', 'constructor', 'toString'],
            },
          ),
          stixIndicator(
            'indicator--0b0f7a2e-0c9e-4c1a-9d0e-000000000003',
            domainPattern('stix-date.example'),
            {
              valid_from: 1e20,
            },
          ),
          stixIndicator(
            'indicator--0b0f7a2e-0c9e-4c1a-9d0e-000000000004',
            `${'('.repeat(DEEP)}${domainPattern('stix-deep.example')}${')'.repeat(DEEP)}`,
          ),
          stixIndicator(
            'indicator--0b0f7a2e-0c9e-4c1a-9d0e-000000000005',
            domainPattern('stix-nul\u0000.example'),
          ),
        ]).replace('"type":"bundle"', '"__proto__":{"type":"indicator"},"constructor":1,"type":"bundle"'),
      ),
      good: ['stix-good-1.example', 'stix-proto.example', 'stix-date.example'],
      reasons: ['invalid_date', 'too_deep', 'control_character'],
    },
    {
      partner: 'unit42',
      name: `STIX message nested ${DEEP} deep`,
      value: Buffer.from(nestedArrays(DEEP)),
      good: [],
      reasons: ['too_deep'],
    },
    {
      partner: 'unit42',
      name: 'STIX bundle that is not UTF-8',
      value: withBadBytes(
        bundle([
          stixIndicator('indicator--0b0f7a2e-0c9e-4c1a-9d0e-000000000006', domainPattern('stix-BAD.example')),
        ]),
        'BAD',
      ),
      good: [],
      reasons: ['invalid_encoding'],
    },
    // --- Avro (cert-demo, partner schema v2) -------------------------------------
    (() => {
      const value = encodePartnerBatch([
        { type: 'ipv4', value: '203.0.113.10' },
        { type: 'ipv4', value: '203.0.113.11', last_seen: 9e15 },
        { type: 'ipv4', value: '203.0.113.12', valid_until: -5 },
        { type: '__proto__', value: '203.0.113.13' },
        { type: 'toString', value: '203.0.113.14' },
        { type: 'domain', value: 'avro-nul\u0000.example' },
        { type: 'ipv4', value: '203.0.113.15', tags: ['AAAA', '__proto__', 'constructor'] },
        { type: 'domain', value: `avro-ws${WHITESPACE_RUN}.example` },
      ]);
      // The first tag of 203.0.113.15 becomes bytes that are not UTF-8.
      value.set(NOT_UTF8, value.indexOf('AAAA'));
      return {
        partner: 'cert-demo',
        name: 'Avro batch with bad dates, prototype types, a NUL, invalid UTF-8 and a 5 MB whitespace run',
        value,
        good: ['203.0.113.10', '203.0.113.11', '203.0.113.12'],
        reasons: ['invalid_date', 'unsupported_type', 'control_character', 'invalid_utf8', 'value_too_long'],
      };
    })(),
    {
      partner: 'cert-demo',
      name: 'Avro bytes declaring 2^31 indicators',
      // Block count as a zig-zag varint (2^31), then nothing.
      value: Buffer.from([0x80, 0x80, 0x80, 0x80, 0x10]),
      good: [],
      reasons: ['invalid_avro'],
    },
    // --- CSV (synthetic-a: value,type,first seen) ----------------------------------
    {
      partner: 'synthetic-a',
      name: 'CSV with prototype names, a 1e20 date, a NUL and a 5 MB whitespace run',
      value: Buffer.from(
        [
          'csv-good-1.example,domain,2026-01-01T00:00:00Z',
          '__proto__,domain,2026-01-01T00:00:00Z',
          'csv-ctor.example,constructor,2026-01-01T00:00:00Z',
          'csv-date.example,domain,1e20',
          'csv-nul\u0000.example,domain,2026-01-01T00:00:00Z',
          `csv-ws${WHITESPACE_RUN}.example,domain,2026-01-01T00:00:00Z`,
          'csv-good-2.example,domain,2026-01-01T00:00:00Z',
          '',
        ].join('\n'),
      ),
      good: ['csv-good-1.example', 'csv-good-2.example', 'csv-date.example'],
      reasons: ['invalid_domain', 'unsupported_type', 'invalid_date', 'control_character', 'value_too_long'],
    },
    {
      partner: 'synthetic-a',
      name: 'CSV that is not UTF-8',
      value: withBadBytes('csv-BAD.example,domain,2026-01-01T00:00:00Z\n', 'BAD'),
      good: [],
      reasons: ['invalid_encoding'],
    },
  ];
}

/** Plain messages of each format around the hostile ones: the stream must go on past them. */
export function goodMessages(round: number): { partner: string; value: Buffer; good: string[] }[] {
  const misp = [`misp-ok-${round}-a.example`, `misp-ok-${round}-b.example`];
  const stix = [`stix-ok-${round}-a.example`, `stix-ok-${round}-b.example`];
  const avro = [`198.51.100.${10 + round}`, `198.51.100.${100 + round}`];
  const csv = [`csv-ok-${round}-a.example`, `csv-ok-${round}-b.example`];
  return [
    {
      partner: 'eset',
      value: Buffer.from(
        JSON.stringify({
          Event: { info: 'ok', Attribute: misp.map((value) => ({ type: 'domain', value })) },
        }),
      ),
      good: misp,
    },
    {
      partner: 'unit42',
      value: Buffer.from(
        bundle(
          stix.map((value, index) =>
            stixIndicator(
              `indicator--1b0f7a2e-0c9e-4c1a-9d0e-000000${String(round).padStart(3, '0')}${String(index).padStart(3, '0')}`,
              domainPattern(value),
            ),
          ),
        ),
      ),
      good: stix,
    },
    {
      partner: 'cert-demo',
      value: encodePartnerBatch(avro.map((value) => ({ type: 'ipv4', value }))),
      good: avro,
    },
    {
      partner: 'synthetic-a',
      value: Buffer.from(`${csv.map((value) => `${value},domain,2026-01-01T00:00:00Z`).join('\n')}\n`),
      good: csv,
    },
  ];
}
