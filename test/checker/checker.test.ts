import { parseFeedMessage } from '@dragnet/indicators';
import { loadRegistry } from '@dragnet/partners';
import { describe, expect, it } from 'vitest';
import { checkIndex, type IndexedFacts, isClean } from './checker.js';
import {
  type ExpectedReport,
  explodeIpv6,
  generateFeeds,
  loadVectors,
  toMessages,
  VECTOR_KINDS,
} from './feeds.js';

const PARTNERS = ['synthetic-a', 'synthetic-b', 'synthetic-c'];

function indexOf(expected: ExpectedReport[]): Map<string, IndexedFacts> {
  const facts = new Map<string, IndexedFacts>();
  for (const report of expected) {
    const entry = facts.get(report.id) ?? {
      id: report.id,
      kind: report.kind,
      value: report.value,
      providers: [],
    };
    entry.providers.push(report.partner);
    facts.set(report.id, entry);
  }
  return facts;
}

describe('the independent checker', () => {
  const vectors = loadVectors();
  const feeds = generateFeeds(vectors.slice(0, 300), PARTNERS, 7);

  it('has vectors of every kind, ids typed by the STIX object of the kind', () => {
    expect(vectors.length).toBeGreaterThanOrEqual(5_000);
    const prefix = {
      ipv4: 'ipv4-addr--',
      ipv6: 'ipv6-addr--',
      domain: 'domain-name--',
      url: 'url--',
      email: 'email-addr--',
      md5: 'file--',
      sha1: 'file--',
      sha256: 'file--',
    };
    for (const kind of VECTOR_KINDS) expect(vectors.some((vector) => vector.kind === kind)).toBe(true);
    for (const vector of vectors) expect(vector.id.startsWith(prefix[vector.kind])).toBe(true);
    expect(new Set(vectors.map((vector) => vector.id)).size).toBe(vectors.length);
  });

  it('spells most values the way partners do, not canonically', () => {
    const values = new Set(vectors.map((vector) => vector.value));
    const lines = [...feeds.lines.values()].flat();
    const canonical = lines.filter((line) => values.has(line.split(',')[0]!)).length;
    expect(canonical / lines.length).toBeLessThan(0.35);
    expect(explodeIpv6('2400:a9::1:0')).toBe('2400:00a9:0000:0000:0000:0000:0001:0000');
    expect(explodeIpv6('247f:fd9d:abb8:bd91:4304::')).toBe('247f:fd9d:abb8:bd91:4304:0000:0000:0000');
  });

  it('is clean on exactly what was expected', () => {
    const result = checkIndex(feeds.expected, indexOf(feeds.expected));
    expect(isClean(result)).toBe(true);
    expect(result.pushed).toBe(feeds.expected.length);
  });

  it('counts lost, extra, duplicated and wrong-value reports', () => {
    const indexed = indexOf(feeds.expected);
    const [first, second, third, fourth] = [...indexed.values()];
    indexed.delete(first!.id); // every partner of it lost
    second!.providers = second!.providers.slice(1); // one partner lost
    third!.providers.push('eset'); // a partner that never reported it
    fourth!.providers.push(fourth!.providers[0]!); // one partner listed twice
    indexed.set('url--00000000-0000-5000-8000-000000000000', {
      id: 'url--00000000-0000-5000-8000-000000000000',
      kind: 'url',
      value: 'http://nobody.example/',
      providers: ['synthetic-a'],
    });
    const fifth = [...indexed.values()][4]!;
    fifth.value = `${fifth.value}x`;
    const result = checkIndex(feeds.expected, indexed);
    const firstPartners = feeds.expected.filter((report) => report.id === first!.id).length;
    expect(result.lost).toBe(firstPartners + 1);
    expect(result.extra).toBe(3);
    expect(result.wrongValue).toBe(fifth.providers.length);
    expect(result.examples.lost.length).toBeGreaterThan(0);
  });

  it("agrees with Dragnet's parser on every generated spelling (parse, refang, canonicalise, id)", () => {
    const all = generateFeeds(vectors, PARTNERS, 11);
    const registry = loadRegistry();
    const want = new Set(all.expected.map((report) => `${report.partner} ${report.id} ${report.value}`));
    const got = new Set<string>();
    const rejects: string[] = [];
    for (const [partnerId, lines] of all.lines) {
      const partner = registry.byId.get(partnerId)!;
      for (const message of toMessages(lines, 500)) {
        const result = parseFeedMessage(Buffer.from(message), partner.format, {
          provider: partner.id,
          feedName: partner.feedName,
          defaultTlp: partner.defaultTlp,
          topic: partner.topic,
          partition: 0,
          offset: '0',
          receivedAt: Date.now(),
        });
        for (const report of result.indicators) got.add(`${report.provider} ${report.id} ${report.value}`);
        for (const reject of result.rejects) rejects.push(`${reject.reason}: ${reject.value}`);
      }
    }
    expect(rejects.slice(0, 10)).toEqual([]);
    expect([...want].filter((entry) => !got.has(entry)).slice(0, 10)).toEqual([]);
    expect([...got].filter((entry) => !want.has(entry)).slice(0, 10)).toEqual([]);
  });
});
