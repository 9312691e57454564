import { dirname, join } from 'node:path';
import { beforeAll, describe, expect, it } from 'vitest';
import { defaultAsnPaths } from './asn-database.js';
import { defaultCountryPath } from './geo-database.js';
import { buildContext } from './indicator-context.js';
import { createIpProvider, type IpProvider } from './ip-provider.js';

let provider: IpProvider;
beforeAll(() => {
  provider = createIpProvider();
});

const enrich = (kind: 'ipv4' | 'ipv6' | 'cidr' | 'url', value: string) =>
  provider.enrich(buildContext(kind, value));

/**
 * Expected answers are what the shipped databases say
 * (@ip-location-db/asn and @ip-location-db/geo-whois-asn-country-mmdb 2.3.2026061719).
 */
describe('IP provider', () => {
  it('maps 8.8.8.8 to AS15169 Google LLC in the US', () => {
    expect(enrich('ipv4', '8.8.8.8')).toEqual({
      dragnet: { ip_class: 'public' },
      as: { number: 15169, organization: { name: 'Google LLC' } },
      geo: { country_iso_code: 'US' },
    });
  });

  it('maps 1.1.1.1 to AS13335 Cloudflare (registered in AU)', () => {
    const output = enrich('ipv4', '1.1.1.1');
    expect(output.as).toEqual({ number: 13335, organization: { name: 'Cloudflare, Inc.' } });
    expect(output.geo).toEqual({ country_iso_code: 'AU' });
  });

  it('looks up IPv6 and IPv4-mapped addresses', () => {
    expect(enrich('ipv6', '2001:4860:4860::8888').as?.number).toBe(15169);
    expect(enrich('ipv6', '::ffff:8.8.8.8').as?.number).toBe(15169);
  });

  it('classifies special-purpose addresses and does not look them up', () => {
    expect(enrich('ipv4', '10.1.2.3')).toEqual({ dragnet: { ip_class: 'private' } });
    expect(enrich('ipv6', '2001:db8::1')).toEqual({ dragnet: { ip_class: 'documentation' } });
    expect(enrich('ipv4', '127.0.0.1').dragnet?.ip_class).toBe('loopback');
  });

  it('enriches a CIDR by its network address and flags overlapped ranges', () => {
    expect(enrich('cidr', '8.8.8.0/24')).toMatchObject({
      as: { number: 15169 },
      dragnet: { ip_class: 'public', ip_range_classes: [] },
    });
    expect(enrich('cidr', '10.20.0.0/16').dragnet).toEqual({
      ip_class: 'private',
      ip_range_classes: ['private'],
    });
    expect(enrich('cidr', '8.0.0.0/6').dragnet?.ip_range_classes).toEqual(['private']);
  });

  it('enriches URLs whose host is an IP', () => {
    expect(enrich('url', 'http://8.8.8.8/x').as?.number).toBe(15169);
    expect(enrich('url', 'http://[2001:db8::1]/').dragnet?.ip_class).toBe('documentation');
    expect(enrich('url', 'https://example.com/')).toEqual({});
  });

  it('records which database builds answered', () => {
    expect(provider.databases.asn).toMatchObject({
      format: 'csv',
      package: '@ip-location-db/asn@2.3.2026061719',
      buildDate: '2026-06-17T19:00:00.000Z',
    });
    expect(provider.databases.asn.records).toBeGreaterThan(400_000);
    expect(provider.databases.country).toMatchObject({
      format: 'mmdb',
      package: '@ip-location-db/geo-whois-asn-country-mmdb@2.3.2026061719',
    });
    expect(provider.databases.country.buildDate).toMatch(/^2026-06-17T/);
  });

  it('answers fast once loaded', () => {
    const started = performance.now();
    for (let index = 0; index < 20_000; index++) {
      enrich('ipv4', `${(index % 223) + 1}.${index % 256}.${(index >> 8) % 256}.1`);
    }
    expect(performance.now() - started).toBeLessThan(2000);
  });

  it('takes operator-supplied database paths', () => {
    // The IPv4-only files of the same packages stand in for "a newer file elsewhere".
    const ipv4Only = createIpProvider({
      asnPath: defaultAsnPaths().ipv4,
      asnIpv6CsvPath: null,
      countryPath: join(dirname(defaultCountryPath()), 'geo-whois-asn-country-ipv4.mmdb'),
    });
    expect(ipv4Only.databases.country.path).toMatch(/geo-whois-asn-country-ipv4\.mmdb$/);
    expect(ipv4Only.enrich(buildContext('ipv4', '8.8.8.8')).geo).toEqual({ country_iso_code: 'US' });
    expect(ipv4Only.enrich(buildContext('ipv6', '2001:4860:4860::8888'))).toEqual({
      dragnet: { ip_class: 'public' },
    });
  });
});
