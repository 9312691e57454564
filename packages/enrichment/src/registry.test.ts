import { beforeAll, describe, expect, it } from 'vitest';
import type { OfflineProvider } from './provider.js';
import {
  createOfflineProviders,
  defaultOfflineProviders,
  enrichIndicator,
  PROVIDER_VERSIONS,
} from './registry.js';
import { loadWarninglistIndex } from './warninglist-loader.js';

let providers: OfflineProvider[];
beforeAll(async () => {
  providers = createOfflineProviders({ warninglists: await loadWarninglistIndex() });
});

describe('enrichIndicator', () => {
  it('exports every provider version', () => {
    expect(PROVIDER_VERSIONS).toEqual({ ip: 1, domain: 1, warninglists: 1, dns: 1 });
  });

  it('builds an ECS-shaped result for an IP', () => {
    expect(enrichIndicator('ipv4', '8.8.8.8', providers)).toEqual({
      as: { number: 15169, organization: { name: 'Google LLC' } },
      geo: { country_iso_code: 'US' },
      dragnet: {
        ip_class: 'public',
        warninglists: [
          { name: 'List of well-known IPv4 public DNS resolvers (Dragnet subset)', action: 'warn' },
        ],
        providers: { ip: 1, domain: 1, warninglists: 1 },
      },
    });
  });

  it('combines URL, domain and warninglist data', () => {
    const result = enrichIndicator('url', 'https://bit.ly/abc', providers);
    expect(result.url).toEqual({
      domain: 'bit.ly',
      registered_domain: 'bit.ly',
      top_level_domain: 'ly',
      scheme: 'https',
      port: 443,
      path: '/abc',
    });
    expect(result.dragnet.warninglists).toEqual([
      { name: 'List of known URL Shorteners domains', action: 'warn' },
    ]);
  });

  it('flags private CIDRs and empty-file hashes with the shipped lists', () => {
    expect(enrichIndicator('cidr', '10.20.0.0/16', providers).dragnet).toMatchObject({
      ip_class: 'private',
      ip_range_classes: ['private'],
      warninglists: expect.arrayContaining([{ name: 'List of RFC 1918 CIDR blocks', action: 'warn' }]),
    });
    expect(
      enrichIndicator('md5', 'd41d8cd98f00b204e9800998ecf8427e', providers).dragnet.warninglists,
    ).toContainEqual({
      name: 'List of known hashes for empty files',
      action: 'warn',
    });
  });

  it('uses the shared default providers when none are given', () => {
    expect(defaultOfflineProviders()).toBe(defaultOfflineProviders());
    expect(enrichIndicator('domain', 'www.example.co.uk').dragnet).toMatchObject({
      registrable_domain: 'example.co.uk',
      providers: { ip: 1, domain: 1, warninglists: 1 },
    });
  });
});
