import { describe, expect, it } from 'vitest';
import {
  canRead,
  canWrite,
  checkInboxPartners,
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

  it('lets only a listed key bound to the inbox partner write', () => {
    const [inbox, plain] = parse([
      {
        id: ID,
        title: 'Inbox',
        read: { keys: ['poster'] },
        inbox: { partner: 'cert-demo', keys: ['poster', 'unbound', 'other-partner'] },
      },
      { id: ID.replace('1111-4', '2222-4'), title: 'Plain', read: { any_key: true } },
    ])().collections;
    const bound = (id: string, partner: string | null) => ({ ...key(id, 'red'), partner });
    expect(inbox?.inbox?.partner).toBe('cert-demo');
    expect(canWrite(inbox!, bound('poster', 'cert-demo'))).toBe(true);
    expect(canWrite(inbox!, bound('unbound', null))).toBe(false);
    expect(canWrite(inbox!, bound('other-partner', 'eset'))).toBe(false);
    expect(canWrite(inbox!, bound('unlisted', 'cert-demo'))).toBe(false);
    expect(canWrite(plain!, bound('poster', 'cert-demo'))).toBe(false);
  });

  it.each([
    [
      'an inbox without keys',
      [{ id: ID, title: 'T', read: { any_key: true }, inbox: { partner: 'p', keys: [] } }],
      /inbox\.keys/,
    ],
    [
      'an inbox partner that is no partner id',
      [{ id: ID, title: 'T', read: { any_key: true }, inbox: { partner: '../x', keys: ['k'] } }],
      /inbox\.partner/,
    ],
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

describe('checkInboxPartners', () => {
  const configuration = parseTaxiiConfiguration(
    JSON.stringify({
      collections: [
        { id: ID, title: 'Inbox', read: { any_key: true }, inbox: { partner: 'p', keys: ['k'] } },
      ],
    }),
  );
  it('accepts an inbox of a registered STIX partner', () => {
    expect(() => checkInboxPartners(configuration, [{ id: 'p', format: { type: 'stix' } }])).not.toThrow();
  });
  it('refuses an unknown partner and one that is not STIX', () => {
    expect(() => checkInboxPartners(configuration, [])).toThrow(/inbox partner p is not in the registry/);
    expect(() => checkInboxPartners(configuration, [{ id: 'p', format: { type: 'csv' } }])).toThrow(
      /must have format stix/,
    );
  });
});
