import { describe, expect, it } from 'vitest';
import {
  canRead,
  DEFAULT_TAXII_CONFIGURATION,
  parseTaxiiConfiguration,
  readerCeiling,
} from './collections.js';
import { documentIdsOf } from './taxii-routes.js';

const ID = '11111111-1111-4111-8111-111111111111';
const parse = (collections: unknown[]) => () => parseTaxiiConfiguration(JSON.stringify({ collections }));
const key = (id: string, maxTlp: 'green' | 'red', organisation?: string) => ({
  id,
  sha256: '',
  maxTlp,
  ratePerMinute: 1,
  organisation,
});

describe('TAXII collections file', () => {
  it('parses filters and the ACL', () => {
    const [collection] = parse([
      {
        id: ID,
        title: 'T',
        max_tlp: 'TLP:AMBER',
        partners: ['p'],
        kinds: ['ipv4'],
        min_score: 50,
        read: { organisations: ['cert-x'] },
      },
    ])().collections;
    expect(collection).toMatchObject({
      maxTlp: 'amber',
      partners: ['p'],
      kinds: ['ipv4'],
      minScore: 50,
      activeOnly: false,
    });
    expect(canRead(collection!, key('k', 'red', 'cert-x'))).toBe(true);
    expect(canRead(collection!, key('k', 'red', 'cert-y'))).toBe(false);
    expect(readerCeiling(collection!, key('k', 'red'))).toBe('amber');
    expect(readerCeiling(collection!, key('k', 'green'))).toBe('green');
  });

  it.each([
    ['no reader', [{ id: ID, title: 'T', read: {} }], /names no reader/],
    [
      'an unknown field',
      [{ id: ID, title: 'T', read: { any_key: true }, max_tlb: 'red' }],
      /max_tlb|Unrecognized/i,
    ],
    ['a bad TLP', [{ id: ID, title: 'T', max_tlp: 'pink', read: { any_key: true } }], /max_tlp/],
    ['a bad kind', [{ id: ID, title: 'T', kinds: ['toString'], read: { any_key: true } }], /kinds/],
    ['a non-UUID id', [{ id: 'abc', title: 'T', read: { any_key: true } }], /UUID/],
    [
      'duplicate ids',
      [
        { id: ID, title: 'A', read: { any_key: true } },
        { id: ID, title: 'B', read: { any_key: true } },
      ],
      /duplicate/,
    ],
    ['no collections', [], /collections/],
  ])('refuses %s', (_, collections, message) => {
    expect(parse(collections)).toThrow(message);
  });

  it('ships a default readable by every key, TLP:GREEN at most', () => {
    const [collection] = DEFAULT_TAXII_CONFIGURATION.collections;
    expect(collection?.maxTlp).toBe('green');
    expect(canRead(collection!, key('anyone', 'red'))).toBe(true);
  });
});

describe('documentIdsOf', () => {
  const uuid = '22222222-2222-5222-8222-222222222222';
  it('finds the document of an observable, indicator or relationship by its UUID', () => {
    expect(documentIdsOf(new Set([`ipv4-addr--${uuid}`]))).toEqual([`ipv4-addr--${uuid}`]);
    const candidates = documentIdsOf(new Set([`indicator--${uuid}`]));
    expect(candidates).toContain(`url--${uuid}`);
    expect(candidates).toContain(`indicator--${uuid}`);
    expect(documentIdsOf(new Set([`sighting--${uuid}`]))).toBeUndefined();
  });
});
