import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { AhoCorasick } from './aho-corasick.js';
import type { Warninglist } from './warninglist-format.js';
import { normaliseHostnameEntry, parseMispRegex, WarninglistIndex } from './warninglist-index.js';
import {
  defaultWarninglistDir,
  loadWarninglistIndex,
  loadWarninglists,
  WarninglistStore,
} from './warninglist-loader.js';

function list(id: string, type: Warninglist['type'], entries: string[], attributes: string[]): Warninglist {
  return {
    id,
    name: `List ${id}`,
    description: '',
    type,
    version: 1,
    list: entries,
    matching_attributes: attributes,
  };
}

const IP_ATTRS = ['ip-src', 'ip-dst'];
const HOST_ATTRS = ['hostname', 'domain', 'url'];
const ids = (hits: { id: string }[]) => hits.map((hit) => hit.id);

describe('AhoCorasick', () => {
  it('finds overlapping patterns in one pass', () => {
    const found: number[] = [];
    new AhoCorasick(['he', 'she', 'his', 'hers']).search('ushers', (id) => found.push(id));
    expect(found.sort()).toEqual([0, 1, 3]);
  });
});

describe('entry parsing', () => {
  it('reads PHP-style regexes and drops the stateful g flag', () => {
    const regex = parseMispRegex('/^(security|abuse)\\@.*$/gi');
    expect(regex.flags).toBe('i');
    expect(regex.test('ABUSE@x.org')).toBe(true);
    expect(regex.test('ABUSE@x.org')).toBe(true);
  });

  it('normalises hostname entries', () => {
    expect(normaliseHostnameEntry(' *.Example.COM. ')).toBe('example.com');
    expect(normaliseHostnameEntry('.google.ad')).toBe('google.ad');
  });
});

describe('WarninglistIndex', () => {
  const index = new WarninglistIndex(
    [
      list('nets', 'cidr', ['10.0.0.0/8', '192.0.2.1', '2001:DB8::/32', 'not-an-ip'], IP_ATTRS),
      list('hosts', 'hostname', ['example.com', '*.cdn.test'], HOST_ATTRS),
      list('hashes', 'string', ['d41d8cd98f00b204e9800998ecf8427e', 'Example.ORG'], ['md5', 'domain']),
      list('subs', 'substring', ['sandbox', 'any.run'], ['domain', 'url']),
      list('mail', 'regex', ['/^abuse@/i', '/(unclosed/'], ['email-src']),
    ],
    { hashes: 'suppress' },
  );

  it('records bad entries as load errors and keeps the rest', () => {
    expect(index.errors.map((error) => [error.list, error.entry])).toEqual([
      ['nets', 'not-an-ip'],
      ['mail', '/(unclosed/'],
    ]);
    expect(index.lists.map((summary) => summary.entries)).toEqual([4, 2, 2, 2, 2]);
  });

  it('matches IPs inside blocks and CIDRs fully inside blocks', () => {
    expect(ids(index.match('ipv4', '10.9.8.7'))).toEqual(['nets']);
    expect(ids(index.match('cidr', '10.20.0.0/16'))).toEqual(['nets']);
    expect(ids(index.match('cidr', '10.0.0.0/8'))).toEqual(['nets']);
    expect(ids(index.match('cidr', '10.0.0.0/7'))).toEqual([]);
    expect(ids(index.match('ipv4', '192.0.2.1'))).toEqual(['nets']);
    expect(ids(index.match('ipv4', '192.0.2.2'))).toEqual([]);
    expect(ids(index.match('ipv6', '2001:db8::1'))).toEqual(['nets']);
    expect(ids(index.match('url', 'http://10.1.1.1/'))).toEqual(['nets']);
  });

  it('matches a hostname or any parent, never a lookalike', () => {
    expect(ids(index.match('domain', 'example.com'))).toEqual(['hosts']);
    expect(ids(index.match('domain', 'www.example.com'))).toEqual(['hosts']);
    expect(ids(index.match('domain', 'a.cdn.test'))).toEqual(['hosts']);
    expect(ids(index.match('domain', 'notexample.com'))).toEqual([]);
    expect(ids(index.match('domain', 'example.com.evil.test'))).toEqual([]);
    expect(ids(index.match('url', 'https://www.example.com/login'))).toEqual(['hosts']);
    expect(ids(index.match('email', 'ceo@example.com'))).toEqual(['hosts']);
  });

  it('matches strings exactly, respecting matching_attributes, with the configured action', () => {
    expect(index.match('md5', 'd41d8cd98f00b204e9800998ecf8427e')).toEqual([
      { id: 'hashes', name: 'List hashes', type: 'string', action: 'suppress' },
    ]);
    expect(index.match('md5', 'd41d8cd98f00b204e9800998ecf8427f')).toEqual([]);
    // Listed for md5 and domain only: the same text as a sha1 kind does not match.
    expect(index.match('sha1', 'd41d8cd98f00b204e9800998ecf8427e')).toEqual([]);
    expect(ids(index.match('domain', 'example.org'))).toEqual(['hashes']);
  });

  it('matches substrings and regexes for their kinds only', () => {
    expect(ids(index.match('domain', 'my-sandbox.example.net'))).toEqual(['subs']);
    expect(ids(index.match('url', 'https://app.any.run/tasks/1'))).toEqual(['subs']);
    expect(ids(index.match('email', 'sandbox@x.test'))).toEqual([]);
    expect(ids(index.match('email', 'abuse@x.test'))).toEqual(['mail']);
    expect(ids(index.match('email', 'noc@x.test'))).toEqual([]);
  });
});

describe('loading and reloading', () => {
  it('loads the shipped default set without errors', async () => {
    const loaded = await loadWarninglists(defaultWarninglistDir());
    expect(loaded.errors).toEqual([]);
    expect(loaded.lists.map((item) => item.id)).toContain('rfc1918');
    const index = new WarninglistIndex(loaded.lists);
    expect(index.match('ipv4', '8.8.8.8').map((hit) => hit.id)).toEqual(['public-dns-v4-well-known']);
  });

  it('reports a broken file and swaps indexes on reload', async () => {
    const dir = await mkdtemp(join(tmpdir(), 'warninglists-'));
    try {
      await writeFile(join(dir, 'broken.json'), '{ nope');
      await writeFile(join(dir, 'a.json'), JSON.stringify(list('x', 'string', ['evil.test'], ['domain'])));
      const store = new WarninglistStore(await loadWarninglistIndex(dir));
      expect(store.index.errors.map((error) => error.list)).toEqual(['broken']);
      const before = store.index;
      expect(ids(store.match('domain', 'evil.test'))).toEqual(['a']);

      await writeFile(join(dir, 'a.json'), JSON.stringify(list('x', 'string', ['other.test'], ['domain'])));
      await store.reload(dir, { a: 'suppress' });
      expect(store.index).not.toBe(before);
      expect(store.match('domain', 'evil.test')).toEqual([]);
      expect(store.match('domain', 'other.test').map((hit) => hit.action)).toEqual(['suppress']);
      // The old index is immutable: in-flight users still see the old answer.
      expect(ids(before.match('domain', 'evil.test'))).toEqual(['a']);
    } finally {
      await rm(dir, { recursive: true, force: true });
    }
  });
});
