import { describe, expect, it } from 'vitest';
import { encodePartnerBatch } from '../avro.js';
import { REJECT_REASONS, type RejectReason } from '../model.js';
import { parseDate } from './dates.js';
import { type FeedFormat, parseFeedMessage, validateFeedFormat as validate } from './index.js';

const context = {
  provider: 'cert',
  feedName: 'feed',
  defaultTlp: 'amber' as const,
  topic: 'feeds.cert',
  partition: 0,
  offset: '7',
  receivedAt: Date.UTC(2026, 0, 1),
};
const parse = (text: string | Buffer, format: FeedFormat) =>
  parseFeedMessage(typeof text === 'string' ? Buffer.from(text) : text, format, context);
const csv = { type: 'csv', valueColumn: 0 } as const;
const bundle = (...objects: unknown[]) => JSON.stringify({ type: 'bundle', id: 'bundle--1', objects });
const mispEvent = (event: Record<string, unknown>) => JSON.stringify({ Event: event });

describe('dates', () => {
  it.each([
    ['2026-01-02', Date.UTC(2026, 0, 2)],
    ['2026-01-02 03:04:05', Date.UTC(2026, 0, 2, 3, 4, 5)],
    ['2026-01-02T03:04:05', Date.UTC(2026, 0, 2, 3, 4, 5)],
    ['2026-01-02T03:04:05.678Z', Date.UTC(2026, 0, 2, 3, 4, 5, 678)],
    ['2026-01-02T03:04:05.123456+02:00', Date.UTC(2026, 0, 2, 1, 4, 5, 123)],
    ['2026-01-02T03:04:05-0130', Date.UTC(2026, 0, 2, 4, 34, 5)],
    ['1767225600', Date.UTC(2026, 0, 1)],
    ['1767225600000', Date.UTC(2026, 0, 1)],
    [1767225600, Date.UTC(2026, 0, 1)],
    ['', null],
    [null, null],
  ])('%s', (input, expected) => expect(parseDate(input)).toBe(expected));

  it.each([
    '2026-02-30',
    '2026-13-01',
    'yesterday',
    '1',
    '20260101',
    '2026-01-02T25:00:00Z',
    'Jan 1 2026',
    '0000-01-01',
    {},
  ])('rejects %s', (input) => expect(parseDate(input)).toBe('invalid'));
});

describe('CSV (RFC 4180)', () => {
  it('reads quoted fields with delimiters, doubled quotes and line breaks; line numbers stay true', () => {
    const text =
      'value,type,description\n"evil.com","domain","a ""quoted"", multi\nline note"\n5.6.7.8,ipv4,x\n999.1.1.1,ipv4,y\n';
    const result = parse(text, { ...csv, typeColumn: 1, descriptionColumn: 2, hasHeader: true });
    expect(result.indicators.map((item) => [item.value, item.description])).toEqual([
      ['evil.com', 'a "quoted", multi\nline note'],
      ['5.6.7.8', 'x'],
    ]);
    expect(result.rejects).toMatchObject([{ reason: 'invalid_ipv4', location: 'line 5' }]);
  });

  it('an unterminated quote is one invalid_csv reject for the rest of the message', () => {
    const result = parse('1.2.3.4\n"5.6.7.8\n9.9.9.9\n', csv);
    expect(result.indicators.map((item) => item.value)).toEqual(['1.2.3.4']);
    expect(result.rejects).toMatchObject([{ reason: 'invalid_csv', location: 'line 2' }]);
  });

  it('maps tags, threat names, reference, confidence and TLP columns; TSV; CRLF; BOM', () => {
    const text = '\uFEFFevil.com\tc2|botnet\tEmotet\thttps://ref.example/1\t80\tTLP:RED\r\n';
    const result = parse(text, {
      ...csv,
      delimiter: '\t',
      fixedKind: 'domain',
      tagsColumn: 1,
      threatNameColumn: 2,
      referenceColumn: 3,
      confidenceColumn: 4,
      tlpColumn: 5,
    });
    expect(result.indicators[0]).toMatchObject({
      value: 'evil.com',
      tags: ['c2', 'botnet'],
      threatNames: ['Emotet'],
      reference: 'https://ref.example/1',
      confidence: 80,
      tlp: 'red',
    });
  });

  it('validates mappings, including unknown settings', () => {
    expect(validate({ type: 'csv', valueColumn: 0, delimiter: '"' })[0]).toMatch(/delimiter must be/);
    expect((validate({ type: 'csv', valueColumn: 0, valueColum: 1 }) as string[])[0]).toMatch(
      /unknown CSV setting valueColum/,
    );
    expect(validate({ type: 'csv', valueColumn: 0, fixedKind: 'md5', typeColumn: 1 })).toContain(
      'give typeColumn or fixedKind, not both',
    );
    expect(validate({ type: 'stix', extra: 1 })[0]).toMatch(/unknown stix setting extra/);
    expect(validate({ type: 'avro', schemaVersion: '1' })[0]).toMatch(/schemaVersion must be one of/);
  });
});

describe('STIX bundles: markings, authors, SCOs, temporal patterns', () => {
  it('TLP 2.0 marking ids, 2.0-style tlp definitions in the bundle, the most restrictive wins, created_by as a tag', () => {
    const result = parse(
      bundle(
        { type: 'identity', id: 'identity--u42', name: 'Unit 42' },
        {
          type: 'marking-definition',
          id: 'marking-definition--custom',
          definition_type: 'tlp',
          definition: { tlp: 'green' },
        },
        {
          type: 'indicator',
          id: 'indicator--1',
          created_by_ref: 'identity--u42',
          pattern: "[domain-name:value = 'a.example.com']",
          valid_from: '2026-01-01T00:00:00Z',
          object_marking_refs: [
            'marking-definition--custom',
            'marking-definition--939a9414-2ddd-4d32-a0cd-375ea402b003',
          ],
        },
        {
          type: 'indicator',
          id: 'indicator--2',
          pattern: "[network-traffic:dst_ref.value = '198.51.100.7' AND network-traffic:dst_port = 443]",
          valid_from: '2026-01-01T00:00:00Z',
          object_marking_refs: ['marking-definition--custom'],
        },
      ),
      { type: 'stix' },
    );
    expect(result.indicators.map((item) => [item.kind, item.value, item.tlp, item.tags])).toEqual([
      ['domain', 'a.example.com', 'amber+strict', ['stix:created_by=Unit 42']],
      [
        'stix-pattern',
        "[network-traffic:dst_ref.value = '198.51.100.7' AND network-traffic:dst_port = 443]",
        'green',
        [],
      ],
      ['ipv4', '198.51.100.7', 'green', ['stix:part-of-pattern']],
    ]);
    expect(result.rejects).toEqual([]);
  });

  it('temporal patterns and yara rules are kept as pattern indicators; SCOs through the registry; context objects are ignored', () => {
    const result = parse(
      bundle(
        {
          type: 'indicator',
          id: 'indicator--t',
          pattern: "[ipv4-addr:value = '1.2.3.4'] FOLLOWEDBY [ipv4-addr:value = '5.6.7.8'] WITHIN 60 SECONDS",
          valid_from: '2026-01-01T00:00:00Z',
        },
        { type: 'mutex', id: 'mutex--1', name: 'Global\\evil' },
        { type: 'process', id: 'process--1', pid: 4 },
        { type: 'ipv6-addr', id: 'ipv6-addr--1', value: '2001:DB8::/32' },
        { type: 'file', id: 'file--1', hashes: { 'SHA-256': 'A'.repeat(64), MD5: 'b'.repeat(32) } },
        { type: 'attack-pattern', id: 'attack-pattern--1', name: 'T1566' },
        { type: 'indicator', id: 'indicator--y', pattern: 'rule x {}', pattern_type: 'yara' },
      ),
      { type: 'stix' },
    );
    expect(result.indicators.map((item) => [item.kind, item.value, item.tags])).toEqual([
      [
        'stix-pattern',
        "[ipv4-addr:value = '1.2.3.4'] FOLLOWEDBY [ipv4-addr:value = '5.6.7.8'] WITHIN 60 SECONDS",
        [],
      ],
      ['ipv4', '1.2.3.4', ['stix:part-of-pattern']],
      ['ipv4', '5.6.7.8', ['stix:part-of-pattern']],
      ['mutex', 'Global\\evil', []],
      ['cidr', '2001:db8::/32', []],
      ['sha256', 'a'.repeat(64), []],
      ['md5', 'b'.repeat(32), []],
      ['yara', 'rule x {}', []],
    ]);
    expect(result.rejects.map((reject) => [reject.reason, reject.location])).toEqual([
      ['unsupported_type', 'objects[2] process--1'],
    ]);
  });
});

describe('MISP: galaxies, references, events', () => {
  it('threat galaxies give threat names, ATT&CK galaxies stay tags; links are the reference; arrays of events', () => {
    const event = (info: string, extra: Record<string, unknown>) => ({
      Event: {
        info,
        date: '2026-01-05',
        Tag: [
          { name: 'TLP:AMBER' },
          { name: 'misp-galaxy:threat-actor="Sednit"' },
          { name: 'misp-galaxy:mitre-attack-pattern="Spearphishing Attachment - T1566.001"' },
        ],
        Galaxy: [
          {
            type: 'mitre-attack-pattern',
            GalaxyCluster: [{ value: 'Spearphishing Attachment - T1566.001' }],
          },
          { type: 'malpedia', GalaxyCluster: [{ value: 'Zebrocy' }] },
        ],
        ...extra,
      },
    });
    const document = [
      event('one', {
        Attribute: [
          {
            uuid: 'l',
            type: 'link',
            category: 'External analysis',
            value: 'https://www.welivesecurity.com/x',
          },
          { uuid: 'd', type: 'domain', value: 'c2.example.net', first_seen: '2025-12-01T00:00:00Z' },
        ],
      }),
      event('two', { Attribute: [{ uuid: 'p', type: 'domain|ip', value: 'only-one-part.example' }] }),
    ];
    const result = parse(JSON.stringify({ response: document }), { type: 'misp' });
    expect(result.indicators).toHaveLength(1);
    expect(result.indicators[0]).toMatchObject({
      value: 'c2.example.net',
      tlp: 'amber',
      threatNames: ['Sednit', 'Zebrocy'],
      tags: ['misp-galaxy:mitre-attack-pattern="Spearphishing Attachment - T1566.001"'],
      reference: 'https://www.welivesecurity.com/x',
      firstSeen: Date.UTC(2025, 11, 1),
      description: 'one',
    });
    expect(result.rejects.map((reject) => [reject.reason, reject.location])).toEqual([
      ['not_an_indicator', 'Event[0] Attribute[0] l'],
      ['invalid_value', 'Event[1] Attribute[0] p'],
    ]);
  });

  it('an unreadable event date is rejected for each attribute, the attributes are kept', () => {
    const result = parse(
      mispEvent({ date: '2026-99-99', Attribute: [{ type: 'md5', value: 'a'.repeat(32) }] }),
      {
        type: 'misp',
      },
    );
    expect(result.rejects).toMatchObject([{ reason: 'invalid_date', location: 'Attribute[0] Event.date' }]);
    expect(result.indicators.map((item) => item.value)).toEqual(['a'.repeat(32)]);
  });
});

describe('every reject reason a parser can give is reachable', () => {
  const avro = (item: Record<string, unknown>) =>
    encodePartnerBatch([{ type: 'ipv4', value: '1.2.3.4', ...item }], 1);
  const cases: [RejectReason, Buffer | string, FeedFormat][] = [
    ['invalid_encoding', Buffer.from([0x31, 0xff, 0x0a]), csv],
    ['invalid_json', '{', { type: 'misp' }],
    ['invalid_avro', Buffer.from([0x02, 0x00]), { type: 'avro', schemaVersion: 1 }],
    ['invalid_csv', '"unterminated', csv],
    ['invalid_structure', '{"objects": 1}', { type: 'stix' }],
    ['unsupported_type', 'x,pdb', { ...csv, typeColumn: 1 }],
    [
      'unsupported_pattern',
      bundle({ type: 'indicator', id: 'indicator--1', pattern: '/x/', pattern_type: 'pcre' }),
      { type: 'stix' },
    ],
    ['invalid_value', mispEvent({ Attribute: [{ type: 'domain|ip', value: 'a.com' }] }), { type: 'misp' }],
    ['invalid_ipv4', '1.2.3.256,ipv4', { ...csv, typeColumn: 1 }],
    ['invalid_ipv6', '1::2::3,ipv6', { ...csv, typeColumn: 1 }],
    ['invalid_cidr', '10.0.0.0/33', csv],
    ['invalid_domain', 'a..com,domain', { ...csv, typeColumn: 1 }],
    ['invalid_url', 'javascript:alert(1),url', { ...csv, typeColumn: 1 }],
    ['invalid_email', 'a@b', csv],
    ['invalid_hash', 'abc', { ...csv, fixedKind: 'md5' }],
    ['invalid_file_name', 'dir/x.exe,filename', { ...csv, typeColumn: 1 }],
    ['invalid_path', 'C:\\Windows\\,file-path', { ...csv, typeColumn: 1 }],
    ['invalid_registry_key', 'Software\\Evil,regkey', { ...csv, typeColumn: 1 }],
    ['invalid_serial_number', 'not-hex,x509-serial', { ...csv, typeColumn: 1 }],
    ['invalid_asn', 'AS4294967296,asn', { ...csv, typeColumn: 1 }],
    ['invalid_mac', '00:11:22:33:44,mac', { ...csv, typeColumn: 1 }],
    ['invalid_wallet', 'not a wallet,btc', { ...csv, typeColumn: 1 }],
    ['invalid_confidence', avro({ confidence: 101 }), { type: 'avro', schemaVersion: 1 }],
    ['not_a_domain', 'setup.exe,domain', { ...csv, typeColumn: 1 }],
    ['network_too_broad', '0.0.0.0/0', csv],
    ['invalid_phone', '+1 555,phone', { ...csv, typeColumn: 1 }],
    [
      'invalid_pattern',
      bundle({ type: 'indicator', id: 'indicator--1', pattern: "[a:b = 'x' and c:d = 'y']" }),
      { type: 'stix' },
    ],
    ['empty_value', ',x', { ...csv, tagsColumn: 1 }],
    [
      'not_an_indicator',
      mispEvent({ Attribute: [{ type: 'link', value: 'https://a.example/' }] }),
      { type: 'misp' },
    ],
    [
      'too_large',
      bundle({ type: 'indicator', id: 'indicator--1', pattern: 'x'.repeat(70_000) }),
      { type: 'stix' },
    ],
    ['too_deep', `${'['.repeat(100)}${']'.repeat(100)}`, { type: 'misp' }],
    ['value_too_long', `http://a.example/${'a'.repeat(9000)},url`, { ...csv, typeColumn: 1 }],
    ['control_character', 'a\u0000b@example.com', csv],
    [
      'invalid_utf8',
      '{"objects": [{"type": "domain-name", "id": "domain-name--1", "value": "\\ud800x.com"}]}',
      { type: 'stix' },
    ],
  ];
  /** Field problems: the indicator is kept, the loss is a counted reject. */
  const kept: [RejectReason, Buffer | string, FeedFormat][] = [
    ['invalid_date', '1.2.3.4,2026-02-30', { ...csv, firstSeenColumn: 1 }],
    ['field_too_long', `a.example,${'d'.repeat(5000)}`, { ...csv, descriptionColumn: 1 }],
    ['too_many_items', `a.example,${'t|'.repeat(100)}`, { ...csv, tagsColumn: 1 }],
    ['unknown_marking', avro({ tlp: 'purple' }), { type: 'avro', schemaVersion: 1 }],
    [
      'lenient_json',
      '{"objects": [{"type": "ipv4-addr", "id": "ipv4-addr--1", "value": "1.2.3.4"},]}',
      { type: 'stix' },
    ],
  ];

  it.each(cases)('%s', (reason, input, format) => {
    const result = parse(input, format);
    expect(result.rejects.map((reject) => reject.reason)).toEqual([reason]);
    expect(result.indicators).toEqual([]);
  });

  it.each(kept)('%s (indicator kept)', (reason, input, format) => {
    const result = parse(input, format);
    expect(result.rejects.map((reject) => reject.reason)).toEqual([reason]);
    expect(result.indicators).toHaveLength(1);
  });

  it('covers all codes except es_rejected (the indexer gives that one) and invalid_tlp (no longer given)', () => {
    // An unreadable TLP is an `unknown_marking` warning on a kept record now; the code stays for old letters.
    expect(new Set([...cases, ...kept].map(([reason]) => reason))).toEqual(
      new Set(REJECT_REASONS.filter((reason) => reason !== 'es_rejected' && reason !== 'invalid_tlp')),
    );
  });

  it('clips long offending values to ~200 characters', () => {
    const result = parse(`${'a'.repeat(5000)}.com,domain`, { ...csv, typeColumn: 1 });
    expect(result.rejects[0]!.value!.length).toBe(201);
  });
});
