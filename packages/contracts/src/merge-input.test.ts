import type { IndicatorReport } from '@dragnet/indicators';
import { describe, expect, it } from 'vitest';
import {
  type DecodedMergeInput,
  decodeMergeInput,
  encodeMergeInput,
  MERGE_INPUT_KINDS,
  MERGE_INPUT_LIMITS,
  type MergeInput,
  type MergeInputSource,
} from './merge-input.js';

// The wire names, written out here rather than taken from the code under test.
const KIND = 'dragnet-record-type';
const CORRELATION = 'dragnet-correlation-id';
const ID = 'ipv4-addr--6b3b8e1c-5a55-5f0e-9d43-0e3c2a1b4c5d';

const report: IndicatorReport = {
  id: ID,
  kind: 'ipv4',
  value: '198.51.100.7',
  provider: 'synthetic-a',
  feedName: 'Synthetic A',
  firstSeen: Date.UTC(2026, 0, 1),
  lastSeen: Date.UTC(2026, 0, 2),
  confidence: 80,
  tlp: 'amber',
  tags: ['c2'],
  threatNames: ['emotet'],
  description: null,
  reference: null,
  validUntil: null,
  provenance: { topic: 'feeds.synthetic-a', partition: 1, offset: '42', recordId: null },
};

const inputs: MergeInput[] = [
  { kind: 'report', record: report },
  {
    kind: 'enrichment',
    record: { id: ID, versions: { ip: 3, warninglists: 2 }, result: { dragnet: { ip_class: 'public' } } },
  },
  { kind: 'refresh', record: { id: ID, reason: 'expiry' } },
  {
    kind: 'reconcile',
    record: {
      id: ID,
      documents: [{ dragnet: { id: ID, revision: 3 } }, { dragnet: { id: ID, revision: 2 } }],
    },
  },
];

const message = (
  kind: string | null,
  value: Buffer | string | null,
  extra: Partial<MergeInputSource> = {},
): MergeInputSource => ({
  key: ID,
  value: typeof value === 'string' ? Buffer.from(value) : value,
  headers: kind === null ? {} : { [KIND]: kind },
  ...extra,
});

function rejectOf(decoded: DecodedMergeInput): string {
  if (decoded.ok) return `accepted as a ${decoded.input.kind} record`;
  return decoded.reject.code;
}

// Avro binary written by hand: zig-zag varints and length-prefixed strings.
const varint = (value: number): number[] => {
  let zigzag = value >= 0 ? value * 2 : -value * 2 - 1;
  const bytes: number[] = [];
  do {
    const low = zigzag % 128;
    zigzag = Math.floor(zigzag / 128);
    bytes.push(zigzag > 0 ? low | 0x80 : low);
  } while (zigzag > 0);
  return bytes;
};
const avroString = (text: string): number[] => [...varint(Buffer.byteLength(text)), ...Buffer.from(text)];
/** An `indicator-report` record field by field; `tags` are the raw bytes of the tags array. */
const avroReport = (tags: number[], tlp = 'amber'): Buffer =>
  Buffer.from([
    ...avroString(ID),
    ...avroString('ipv4'),
    ...avroString('198.51.100.7'),
    ...avroString('synthetic-a'),
    ...avroString('Synthetic A'),
    ...varint(Date.UTC(2026, 0, 1)),
    ...varint(Date.UTC(2026, 0, 2)),
    ...[2, ...varint(80)], // confidence: union branch 1 (int)
    ...[2, ...avroString(tlp)],
    ...tags,
    0, // threatNames: empty array
    0, // description: null
    0, // reference: null
    0, // validUntil: null
    ...avroString('feeds.synthetic-a'),
    ...varint(1),
    ...avroString('42'),
    0, // recordId: null
  ]);

describe('encodeMergeInput / decodeMergeInput', () => {
  it.each(inputs.map((input) => [input.kind, input] as const))(
    'round-trips a %s record keyed by its id, with the kind header and the correlation id',
    (kind, input) => {
      const encoded = encodeMergeInput(input, 'c-7f3a');
      expect(encoded.key).toBe(ID);
      expect(encoded.headers).toEqual({ [KIND]: kind, [CORRELATION]: 'c-7f3a' });
      expect(decodeMergeInput(encoded)).toEqual({ ok: true, input, correlationId: 'c-7f3a' });
    },
  );

  it('covers every kind in the round trip above', () => {
    expect(new Set(inputs.map((input) => input.kind))).toEqual(new Set(MERGE_INPUT_KINDS));
  });

  it('reads the JSON kinds as other producers wrote them, and a hand-written report', () => {
    const refresh = decodeMergeInput(message('refresh', `{"id":"${ID}","reason":"rescore"}`));
    expect(refresh).toEqual({
      ok: true,
      input: { kind: 'refresh', record: { id: ID, reason: 'rescore' } },
      correlationId: null,
    });
    const handWritten = decodeMergeInput(message('report', avroReport([2, ...avroString('c2'), 0])));
    expect(handWritten.ok && handWritten.input.record).toMatchObject({ id: ID, tags: ['c2'], tlp: 'amber' });
  });

  it('ignores fields it does not know (a newer producer) and keeps only its own', () => {
    const decoded = decodeMergeInput(
      message('refresh', `{"id":"${ID}","reason":"expiry","requestedBy":"sweep-7"}`),
    );
    expect(decoded.ok && decoded.input.record).toEqual({ id: ID, reason: 'expiry' });
  });

  it('keeps a well-formed correlation id and drops a malformed one without refusing the record', () => {
    const refresh = `{"id":"${ID}","reason":"expiry"}`;
    const headers = (correlation: string) => ({ headers: { [KIND]: 'refresh', [CORRELATION]: correlation } });
    expect(decodeMergeInput(message('refresh', refresh, headers('9b1d-ok'))).correlationId).toBe('9b1d-ok');
    for (const hostile of [
      '',
      'a b',
      'x'.repeat(MERGE_INPUT_LIMITS.maxCorrelationIdLength + 1),
      'id\n{"forged":1}',
    ]) {
      const decoded = decodeMergeInput(message('refresh', refresh, headers(hostile)));
      expect(decoded).toMatchObject({ ok: true, correlationId: null });
    }
    expect(() => encodeMergeInput(inputs[2]!, 'bad id\n')).toThrow(/correlation id/);
  });
});

describe('decodeMergeInput rejects, one code per failure', () => {
  const refresh = `{"id":"${ID}","reason":"expiry"}`;

  it("missing_record_kind: no kind header, also when only the headers object's prototype has one", () => {
    expect(rejectOf(decodeMergeInput(message(null, refresh)))).toBe('missing_record_kind');
    const inherited = Object.create({ [KIND]: 'refresh' }) as Record<string, string>;
    expect(rejectOf(decodeMergeInput(message(null, refresh, { headers: inherited })))).toBe(
      'missing_record_kind',
    );
  });

  it('unknown_record_kind: a kind nobody produces, prototype names included', () => {
    for (const kind of ['sighting', 'constructor', '__proto__', 'toString', 'REPORT', ''])
      expect(rejectOf(decodeMergeInput(message(kind, refresh)))).toBe('unknown_record_kind');
  });

  it('missing_value: no value or an empty one', () => {
    expect(rejectOf(decodeMergeInput(message('refresh', null)))).toBe('missing_value');
    expect(rejectOf(decodeMergeInput(message('report', Buffer.alloc(0))))).toBe('missing_value');
  });

  it("record_too_large: over the kind's cap, refused before parsing", () => {
    const padded = `{"id":"${ID}","reason":"expiry","pad":"${'x'.repeat(MERGE_INPUT_LIMITS.maxRefreshBytes)}"}`;
    expect(rejectOf(decodeMergeInput(message('refresh', padded)))).toBe('record_too_large');
    const huge = Buffer.alloc(MERGE_INPUT_LIMITS.maxReconcileBytes + 1, 0x20);
    expect(rejectOf(decodeMergeInput(message('reconcile', huge)))).toBe('record_too_large');
    expect(
      rejectOf(decodeMergeInput(message('report', Buffer.alloc(MERGE_INPUT_LIMITS.maxReportBytes + 1)))),
    ).toBe('record_too_large');
  });

  it("key_mismatch: a key that is not the record's id, or none", () => {
    const other = 'ipv4-addr--00000000-0000-5000-8000-000000000000';
    expect(rejectOf(decodeMergeInput(message('refresh', refresh, { key: other })))).toBe('key_mismatch');
    expect(rejectOf(decodeMergeInput(message('refresh', refresh, { key: null })))).toBe('key_mismatch');
    const encoded = encodeMergeInput(inputs[0]!);
    expect(rejectOf(decodeMergeInput({ ...encoded, key: Buffer.from(other) }))).toBe('key_mismatch');
  });

  it('invalid_avro: report bytes that are not exactly one report, in bounded time', () => {
    const valid = avroReport([0]);
    expect(decodeMergeInput(message('report', valid)).ok).toBe(true);
    const hostile = [
      Buffer.from('{"id":"not avro"}'),
      valid.subarray(0, valid.length - 3),
      Buffer.concat([valid, Buffer.from([0])]),
      // A tags block claiming 2^40 items with no bytes behind it: avsc alone would loop for hours.
      avroReport(varint(2 ** 40)),
      avroReport([...varint(-(2 ** 40)), ...varint(1)]),
      // A tag that is not UTF-8.
      avroReport([2, 2, 0xff, 0xfe, 0]),
    ];
    const started = performance.now();
    for (const bytes of hostile)
      expect(rejectOf(decodeMergeInput(message('report', bytes)))).toBe('invalid_avro');
    expect(performance.now() - started).toBeLessThan(1_000);
  });

  it('invalid_report: a well-formed report with a field out of range', () => {
    expect(rejectOf(decodeMergeInput(message('report', avroReport([0], 'purple'))))).toBe('invalid_report');
    const outOfRange: Partial<IndicatorReport>[] = [
      { kind: 'no-such-kind' as IndicatorReport['kind'] },
      { firstSeen: -1 },
      { lastSeen: 253_402_300_800_000 },
      { validUntil: 253_402_300_800_000 },
      { confidence: 101 },
      { value: '' },
      { provider: '' },
      { id: 'not-an-id' },
      { id: `ipv4-addr--${'a'.repeat(300)}` },
    ];
    for (const change of outOfRange) {
      const bad = { ...report, ...change };
      const encoded = encodeMergeInput({ kind: 'report', record: bad });
      expect(rejectOf(decodeMergeInput({ ...encoded, key: bad.id })), JSON.stringify(change)).toBe(
        'invalid_report',
      );
    }
  });

  it('invalid_enrichment_record: not JSON, wrong types, prototype keys, too deep, not UTF-8', () => {
    const enrichment = (versions: string, result: string) =>
      message('enrichment', `{"id":"${ID}","versions":${versions},"result":${result}}`);
    expect(decodeMergeInput(enrichment('{"ip":3}', '{}')).ok).toBe(true);
    const hostile = [
      message('enrichment', '{"id":'),
      message('enrichment', '[1,2,3]'),
      message('enrichment', `{"id":7,"versions":{},"result":{}}`),
      enrichment('{"ip":"3"}', '{}'),
      enrichment('{"ip":-1}', '{}'),
      enrichment('{"ip":1.5}', '{}'),
      enrichment('{"ip":1e300}', '{}'),
      enrichment('[3]', '{}'),
      enrichment('{"Not A Provider":1}', '{}'),
      enrichment('{"ip":3}', '[]'),
      enrichment('{"ip":3}', 'null'),
      // Written as text: JSON.stringify would not write a literal __proto__ key.
      enrichment('{"__proto__":{"polluted":1}}', '{}'),
      enrichment('{"ip":3}', '{"dragnet":{"__proto__":{"polluted":true}}}'),
      enrichment('{"ip":3}', '{"constructor":{"prototype":{"polluted":true}}}'),
      enrichment('{"ip":3}', `${'{"a":'.repeat(40)}1${'}'.repeat(40)}`),
      enrichment('{"ip":3}', `{"a":${'['.repeat(50_000)}${']'.repeat(50_000)}}`),
      message(
        'enrichment',
        Buffer.concat([
          Buffer.from(`{"id":"${ID}","versions":{},"result":{"x":"`),
          Buffer.from([0xc0, 0xaf]),
          Buffer.from('"}}'),
        ]),
      ),
    ];
    for (const bytes of hostile)
      expect(rejectOf(decodeMergeInput(bytes)), String(bytes.value).slice(0, 80)).toBe(
        'invalid_enrichment_record',
      );
    expect(({} as Record<string, unknown>).polluted).toBeUndefined();
  });

  it('invalid_refresh_record: no id, a reason nobody writes, a prototype key', () => {
    for (const value of [
      `{"reason":"expiry"}`,
      `{"id":"${ID}","reason":"whenever"}`,
      `{"id":"${ID}"}`,
      `{"id":["${ID}"],"reason":"expiry"}`,
      `{"id":"${ID}","reason":"expiry","__proto__":{"id":"x"}}`,
      '"just a string"',
    ])
      expect(rejectOf(decodeMergeInput(message('refresh', value))), value).toBe('invalid_refresh_record');
  });

  it('invalid_reconcile_record: documents missing, empty, not objects, too many', () => {
    const reconcile = (documents: string) => message('reconcile', `{"id":"${ID}","documents":${documents}}`);
    for (const documents of ['null', '[]', '[1]', '[[]]', '{"0":{}}', JSON.stringify(Array(5).fill({}))])
      expect(rejectOf(decodeMergeInput(reconcile(documents))), documents).toBe('invalid_reconcile_record');
  });
});
