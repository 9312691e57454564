import { existsSync } from 'node:fs';
import { dirname, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import { beforeAll, describe, expect, it } from 'vitest';
import { createOfflineProviders, enrichIndicator } from './registry.js';
import { WarninglistIndex } from './warninglist-index.js';
import { loadWarninglists } from './warninglist-loader.js';

/** The real MISP warninglists (CC0) beside the repository; the product itself never reads them. */
const SHARED = resolve(dirname(fileURLToPath(import.meta.url)), '../../../../shared/warninglists');

let index: WarninglistIndex;
const idsOf = (kind: Parameters<WarninglistIndex['match']>[0], value: string) =>
  index.match(kind, value).map((hit) => hit.id);

beforeAll(async () => {
  // Fail, never skip: a silently skipped suite would hide a broken checkout.
  if (!existsSync(SHARED))
    throw new Error(`${SHARED} is missing: clone the project with ../shared beside it`);
  const loaded = await loadWarninglists(SHARED);
  index = new WarninglistIndex(loaded.lists, { 'empty-hashes': 'suppress' }, loaded.errors);
}, 60_000);

describe('real MISP warninglists (../shared/warninglists)', () => {
  it('loads every list file', () => {
    expect(index.lists.length).toBe(136);
    // Whole files never fail; only individual entries may (recorded, not fatal).
    expect(index.errors.filter((error) => error.entry === null)).toEqual([]);
  });

  it('matches an RFC 1918 address, and not its neighbour 11.0.0.1', () => {
    expect(idsOf('ipv4', '10.1.2.3')).toEqual(expect.arrayContaining(['rfc1918', 'rfc5735']));
    expect(idsOf('ipv4', '11.0.0.1')).not.toContain('rfc1918');
    expect(idsOf('ipv4', '11.0.0.1')).not.toContain('rfc5735');
  });

  it('matches a CIDR fully inside an RFC 1918 block, but not one that spans it', () => {
    expect(idsOf('cidr', '10.20.0.0/16')).toContain('rfc1918');
    expect(idsOf('cidr', '10.0.0.0/7')).not.toContain('rfc1918');
  });

  it('matches 8.8.8.8 as a public DNS resolver, not 8.8.8.9', () => {
    expect(idsOf('ipv4', '8.8.8.8')).toContain('public-dns-v4');
    expect(idsOf('ipv4', '8.8.8.9')).not.toContain('public-dns-v4');
  });

  it('matches a public IPv6 resolver and the IPv6 documentation block', () => {
    expect(idsOf('ipv6', '2001:4860:4860::8888')).toContain('public-dns-v6');
    expect(idsOf('ipv6', '2001:db8::1')).toContain('rfc3849');
  });

  it('matches google.com in top-site lists; lookalikes do not', () => {
    expect(idsOf('domain', 'google.com')).toEqual(
      expect.arrayContaining(['tranco10k', 'cisco_top1000', 'alexa']),
    );
    expect(idsOf('domain', 'mail.google.com')).toContain('tranco10k');
    expect(idsOf('domain', 'google.com.evil.example')).not.toContain('tranco10k');
    expect(idsOf('domain', 'notgoogle.com')).not.toContain('tranco10k');
    expect(idsOf('domain', 'notgoogle.com')).not.toContain('alexa');
  });

  it('matches a URL through its host', () => {
    expect(idsOf('url', 'https://www.google.com/search?q=x')).toContain('tranco10k');
    expect(idsOf('url', 'https://google.com.evil.example/')).not.toContain('tranco10k');
  });

  it('matches the empty-file MD5 with the configured suppress action; one changed char misses', () => {
    expect(index.match('md5', 'd41d8cd98f00b204e9800998ecf8427e')).toContainEqual({
      id: 'empty-hashes',
      name: 'List of known hashes for empty files',
      type: 'string',
      action: 'suppress',
    });
    expect(idsOf('md5', 'd41d8cd98f00b204e9800998ecf8427f')).not.toContain('empty-hashes');
    expect(idsOf('sha256', 'e3b0c44298fc1c149afbf4c8996fb92427ae41e4649b934ca495991b7852b855')).toContain(
      'empty-hashes',
    );
  });

  it('matches disposable e-mail domains by substring and abuse@ mailboxes by regex', () => {
    expect(idsOf('email', 'someone@0-mail.com')).toContain('disposable-email');
    expect(idsOf('email', 'abuse@example.org')).toContain('common-contact-emails');
    expect(idsOf('email', 'alice@example.org')).not.toContain('common-contact-emails');
  });

  it('feeds hits into the enrichment result', () => {
    const providers = createOfflineProviders({ ip: false, warninglists: index });
    const result = enrichIndicator('ipv4', '8.8.8.8', providers);
    expect(result.dragnet.warninglists).toContainEqual({
      name: 'List of known IPv4 public DNS resolvers',
      action: 'warn',
    });
  });
});
