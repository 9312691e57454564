import { describe, expect, it } from 'vitest';
import { decodeReport, encodePartnerBatch, encodeReport, PARTNER_SCHEMAS } from '../avro.js';
import { parseFeedMessage, validateFeedFormat } from './index.js';

const context = {
  provider: 'cert',
  feedName: 'feed',
  defaultTlp: 'amber' as const,
  topic: 'feeds.cert',
  partition: 2,
  offset: '41',
  receivedAt: Date.UTC(2026, 0, 1),
};

describe('CSV lists', () => {
  const format = {
    type: 'csv' as const,
    valueColumn: 0,
    typeColumn: 1,
    firstSeenColumn: 2,
    commentPrefix: '#',
    hasHeader: true,
  };

  it('maps columns, skips comments and header, and rejects bad lines with line numbers', () => {
    const csv =
      '# abuse.ch style\nvalue,type,first_seen\n1.2.3.4,ip-dst,2026-01-02 10:00:00\n"evil[.]com",domain,2026-01-03\n300.1.1.1,ipv4,2026-01-01\nx,pdb,2026-01-01\n5.6.7.8,ipv4,yesterday\n';
    const result = parseFeedMessage(Buffer.from(csv), format, context);
    expect(
      result.indicators.map((item) => [item.kind, item.value, new Date(item.firstSeen).toISOString()]),
    ).toEqual([
      ['ipv4', '1.2.3.4', '2026-01-02T10:00:00.000Z'],
      ['domain', 'evil.com', '2026-01-03T00:00:00.000Z'],
      // An unreadable date is rejected as a value: the line is kept, dated by the message.
      ['ipv4', '5.6.7.8', new Date(context.receivedAt).toISOString()],
    ]);
    expect(result.rejects.map((reject) => [reject.reason, reject.location, reject.value])).toEqual([
      ['invalid_ipv4', 'line 5', '300.1.1.1'],
      ['unsupported_type', 'line 6', 'x'],
      ['invalid_date', 'line 7 column 2', '5.6.7.8'],
    ]);
    expect(result.indicators[0]).toMatchObject({
      provider: 'cert',
      tlp: 'amber',
      provenance: { topic: 'feeds.cert', partition: 2, offset: '41', recordId: null },
    });
  });

  it('detects the kind when the feed has no type column, and dates undated lines by the message time', () => {
    const result = parseFeedMessage(
      Buffer.from('d41d8cd98f00b204e9800998ecf8427e\nhxxp://x[.]example.com/p\n'),
      { type: 'csv', valueColumn: 0 },
      context,
    );
    expect(result.indicators.map((item) => item.kind)).toEqual(['md5', 'url']);
    expect(result.indicators[0]!.firstSeen).toBe(context.receivedAt);
  });

  it('rejects a message that is not UTF-8 as a whole', () => {
    const result = parseFeedMessage(
      Buffer.from([0xff, 0xfe, 0x41, 0x0a]),
      { type: 'csv', valueColumn: 0 },
      context,
    );
    expect(result.rejects).toEqual([
      { reason: 'invalid_encoding', message: 'message is not valid UTF-8', value: null, location: 'message' },
    ]);
  });

  it('validates mappings', () => {
    expect(validateFeedFormat({ type: 'csv', valueColumn: 0 })).toEqual([]);
    expect(validateFeedFormat({ type: 'csv' })).toEqual(['valueColumn is required']);
    expect(validateFeedFormat({ type: 'csv', valueColumn: 0, fixedKind: 'ja4' })[0]).toMatch(
      /^fixedKind must be one of/,
    );
    expect(validateFeedFormat({ type: 'xml' })[0]).toMatch(/^unknown format type "xml"/);
    expect(validateFeedFormat({ type: 'avro', schemaVersion: 9 })[0]).toMatch(
      /^schemaVersion must be one of/,
    );
  });
});

describe('Dragnet Avro partner format', () => {
  it('reads a v1 batch with the v2 reader: the new field takes its default', () => {
    const bytes = encodePartnerBatch(
      [{ type: 'ipv4', value: '192.0.2.1', confidence: 70, tlp: 'green', tags: ['c2'], record_id: 'r-1' }],
      1,
    );
    expect(PARTNER_SCHEMAS[1].fromBuffer(bytes)).toMatchObject({ indicators: [{ value: '192.0.2.1' }] });
    const result = parseFeedMessage(bytes, { type: 'avro', schemaVersion: 1 }, context);
    expect(result.rejects).toEqual([]);
    expect(result.indicators[0]).toMatchObject({
      value: '192.0.2.1',
      confidence: 70,
      tlp: 'green',
      tags: ['c2'],
      feedName: 'feed',
      provenance: { recordId: 'r-1' },
    });
  });

  it('uses v2 fields, and rejects bad items without losing the others', () => {
    const bytes = encodePartnerBatch([
      { type: 'domain', value: 'evil[.]example', feed_name: 'phishing' },
      { type: 'ipv4', value: '1.2.3.4', confidence: 300 },
      { type: 'pdb', value: 'C:\\x.pdb' },
      { type: 'url', value: 'http://ok.example/', tlp: 'purple' },
    ]);
    const result = parseFeedMessage(bytes, { type: 'avro', schemaVersion: 2 }, context);
    expect(result.indicators.map((item) => [item.value, item.feedName])).toEqual([
      ['evil.example', 'phishing'],
      ['http://ok.example/', 'feed'],
    ]);
    // An unreadable marking keeps the record, at AMBER or above, the marking as a tag.
    expect(result.indicators[1]).toMatchObject({ tlp: 'amber', tags: ['purple'] });
    expect(result.rejects.map((reject) => [reject.reason, reject.location])).toEqual([
      ['invalid_confidence', 'indicators[1]'],
      ['unsupported_type', 'indicators[2]'],
      ['unknown_marking', 'indicators[3] marking'],
    ]);
  });

  it('rejects bytes that are not a batch', () => {
    expect(
      parseFeedMessage(Buffer.from([0xde, 0xad, 0xbe, 0xef, 1]), { type: 'avro', schemaVersion: 2 }, context)
        .rejects[0]?.reason,
    ).toBe('invalid_avro');
  });

  it('round-trips the internal report record', () => {
    const report = parseFeedMessage(Buffer.from('8.8.8.8\n'), { type: 'csv', valueColumn: 0 }, context)
      .indicators[0]!;
    expect(decodeReport(encodeReport(report))).toEqual(report);
  });
});

describe('STIX bundles', () => {
  const bundle = (objects: unknown[]) =>
    Buffer.from(JSON.stringify({ type: 'bundle', id: 'bundle--1', objects }));
  it('carries valid_from, valid_until, confidence, labels, TLP markings and malware names', () => {
    const result = parseFeedMessage(
      bundle([
        {
          type: 'indicator',
          id: 'indicator--a',
          pattern: "[url:value = 'hxxp://evil[.]example/x'] OR [process:name = 'x.exe']",
          pattern_type: 'stix',
          valid_from: '2026-01-02T00:00:00Z',
          valid_until: '2026-02-01T00:00:00Z',
          confidence: 85,
          labels: ['malicious-activity'],
          object_marking_refs: ['marking-definition--5e57c739-391a-4eb3-b6be-7d15ca92d5ed'],
        },
        { type: 'malware', id: 'malware--m', name: 'Pikabot', is_family: true },
        {
          type: 'relationship',
          id: 'relationship--r',
          relationship_type: 'indicates',
          source_ref: 'indicator--a',
          target_ref: 'malware--m',
        },
        { type: 'domain-name', id: 'domain-name--d', value: 'Bare.Example.com' },
        { type: 'report', id: 'report--x', name: 'ignored on purpose' },
      ]),
      { type: 'stix' },
      context,
    );
    // `process:name` has no kind: the pattern is kept whole, and its URL as a part of it.
    expect(result.indicators.map((item) => [item.kind, item.value])).toEqual([
      ['stix-pattern', "[url:value = 'hxxp://evil[.]example/x'] OR [process:name = 'x.exe']"],
      ['url', 'http://evil.example/x'],
      ['domain', 'bare.example.com'],
    ]);
    expect(result.indicators[1]!.tags).toEqual(['malicious-activity', 'stix:part-of-pattern']);
    expect(result.indicators[0]).toMatchObject({
      firstSeen: Date.UTC(2026, 0, 2),
      validUntil: Date.UTC(2026, 1, 1),
      confidence: 85,
      tlp: 'red',
      tags: ['malicious-activity'],
      threatNames: ['Pikabot'],
      provenance: { recordId: 'indicator--a' },
    });
    expect(result.rejects).toEqual([]);
  });

  it('rejects invalid JSON and non-bundles as a whole message', () => {
    expect(parseFeedMessage(Buffer.from('{nope'), { type: 'stix' }, context).rejects[0]).toMatchObject({
      reason: 'invalid_json',
      location: 'message',
    });
    expect(parseFeedMessage(Buffer.from('{"type":"x"}'), { type: 'stix' }, context).rejects[0]).toMatchObject(
      { reason: 'invalid_structure' },
    );
  });
});

describe('MISP events', () => {
  it('maps attribute types, composite values, tags, TLP and info', () => {
    const event = {
      response: [
        {
          Event: {
            info: 'Campaign X',
            date: '2026-01-05',
            Tag: [{ name: 'tlp:green' }, { name: 'misp-galaxy:malpedia="Emotet"' }, { name: 'apt' }],
            Attribute: [
              {
                uuid: 'u1',
                type: 'domain|ip',
                value: 'evil.example|192.0.2.5',
                to_ids: true,
                timestamp: '1767693600',
              },
              { uuid: 'u2', type: 'filename|sha256', value: `a.exe|${'A'.repeat(64)}`, to_ids: false },
              { uuid: 'u3', type: 'text', value: 'a note' },
              { uuid: 'u4', type: 'ip-dst|port', value: '2001:db8::5|443' },
            ],
            Object: [{ Attribute: [{ uuid: 'u5', type: 'url', value: 'hxxps://evil.example/login' }] }],
          },
        },
      ],
    };
    const result = parseFeedMessage(Buffer.from(JSON.stringify(event)), { type: 'misp' }, context);
    expect(result.indicators.map((item) => [item.kind, item.value, item.provenance.recordId])).toEqual([
      ['domain', 'evil.example', 'u1'],
      ['ipv4', '192.0.2.5', 'u1'],
      ['file-name', 'a.exe', 'u2'],
      ['sha256', 'a'.repeat(64), 'u2'],
      ['ipv6', '2001:db8::5', 'u4'],
      ['url', 'https://evil.example/login', 'u5'],
    ]);
    // The port of an ip|port composite is context of its address.
    expect(result.indicators[4]!.tags).toContain('port:443');
    expect(result.indicators[0]).toMatchObject({
      tlp: 'green',
      threatNames: ['Emotet'],
      tags: ['apt'],
      description: 'Campaign X',
      firstSeen: Date.UTC(2026, 0, 5),
      lastSeen: 1767693600000,
    });
    expect(result.indicators[3]!.tags).toContain('misp:to_ids=false');
    expect(result.rejects).toEqual([
      {
        reason: 'not_an_indicator',
        message: 'MISP text attribute is free text, not an observable',
        value: 'a note',
        location: 'Attribute[2] u3',
      },
    ]);
  });
});
