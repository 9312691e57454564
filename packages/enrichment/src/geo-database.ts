import { readFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import { dirname, join } from 'node:path';
import { Reader, type Response } from 'mmdb-lib';
import { type DatabaseInfo, formatForMmdb, packageStamp } from './asn-database.js';
import type { IpAddress } from './ip-address.js';

export interface CountryDatabase {
  readonly info: DatabaseInfo;
  /** ISO 3166-1 alpha-2 country code, or null when the address is not in the database. */
  lookup(address: IpAddress): string | null;
}

/** ip-location-db records carry `country_code`; MaxMind GeoLite2-Country/City carry `country.iso_code`. */
export function countryCodeOf(record: Response | null): string | null {
  if (!record) return null;
  if ('country_code' in record && typeof record.country_code === 'string') return record.country_code;
  if ('country' in record && record.country?.iso_code) return record.country.iso_code;
  return null;
}

const require = createRequire(import.meta.url);

/** Default: `@ip-location-db/geo-whois-asn-country-mmdb` (CC0), IPv4+IPv6 in one mmdb. */
export function defaultCountryPath(): string {
  const root = dirname(require.resolve('@ip-location-db/geo-whois-asn-country-mmdb/package.json'));
  return join(root, 'geo-whois-asn-country.mmdb');
}

/** Reads the whole file into memory once; mmdb-lib then walks the tree in the buffer. */
export function openCountryDatabase(path: string = defaultCountryPath()): CountryDatabase {
  const reader = new Reader<Response>(readFileSync(path));
  const stamp = packageStamp(path);
  return {
    info: {
      path,
      format: 'mmdb',
      package: stamp.package,
      buildDate: reader.metadata.buildEpoch.toISOString(),
      records: reader.metadata.nodeCount,
    },
    lookup: (address) => {
      // An IPv4-only tree answers IPv6 queries with whatever its bits lead to: refuse instead.
      if (address.family === 6 && reader.metadata.ipVersion === 4) return null;
      return countryCodeOf(reader.get(formatForMmdb(address)));
    },
  };
}
