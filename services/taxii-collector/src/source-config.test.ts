import { parseRegistry } from '@dragnet/partners';
import { describe, expect, it } from 'vitest';

const partner = (taxii: Record<string, unknown>, format = { type: 'stix' }) => ({
  partners: [{ id: 'p1', name: 'P1', feedName: 'p1', format, defaultTlp: 'green', trust: 0.5, taxii }],
});
const ROOT = 'https://taxii.example/api1/';

describe('the registry schema of TAXII sources', () => {
  it('reads a source with its defaults', () => {
    const registry = parseRegistry(
      partner({ apiRoot: ROOT, collectionId: 'c-1', username: 'u', passwordFile: '/run/secrets/p' }),
    );
    expect(registry.byId.get('p1')?.taxii).toEqual({
      apiRoot: ROOT,
      collectionId: 'c-1',
      username: 'u',
      passwordFile: '/run/secrets/p',
      pollIntervalSeconds: 300,
      pageLimit: 1_000,
    });
  });

  it.each([
    [
      'an inline password',
      { apiRoot: ROOT, collectionId: 'c', username: 'u', password: 'hunter2' },
      'password',
    ],
    ['an inline token', { apiRoot: ROOT, collectionId: 'c', token: 'x' }, 'token'],
    [
      'a username without a password file',
      { apiRoot: ROOT, collectionId: 'c', username: 'u' },
      'go together',
    ],
    [
      'Basic and Bearer at once',
      { apiRoot: ROOT, collectionId: 'c', tokenFile: '/t', username: 'u', passwordFile: '/p' },
      'not both',
    ],
    ['a non-http URL', { apiRoot: 'file:///etc/passwd', collectionId: 'c' }, 'http(s)'],
    ['a collection id with a slash', { apiRoot: ROOT, collectionId: '../x' }, 'collection id'],
    ['a bad start date', { apiRoot: ROOT, collectionId: 'c', addedAfter: 'last week' }, 'addedAfter'],
  ])('refuses %s', (_name, taxii, message) => {
    expect(() => parseRegistry(partner(taxii))).toThrow(message);
  });

  it('requires the stix format (TAXII serves STIX)', () => {
    expect(() =>
      parseRegistry(partner({ apiRoot: ROOT, collectionId: 'c' }, { type: 'csv', valueColumn: 0 } as never)),
    ).toThrow('the format must be stix');
  });
});
