import { type AsnDatabase, type DatabaseInfo, openAsnDatabase } from './asn-database.js';
import { type CountryDatabase, openCountryDatabase } from './geo-database.js';
import type { IndicatorContext } from './indicator-context.js';
import { type IpAddress, mappedIpv4 } from './ip-address.js';
import { classifyIp, overlappingClasses } from './ip-class.js';
import type { OfflineProvider, ProviderOutput } from './provider.js';

export const IP_PROVIDER_NAME = 'ip';
export const IP_PROVIDER_VERSION = 1;

export interface IpProviderOptions {
  /** `.mmdb` with the GeoLite2-ASN schema, or an ip-location-db `asn-ipv4-num.csv`. Default: bundled package. */
  asnPath?: string;
  /** With a CSV `asnPath`: the matching IPv6 CSV (omit for IPv4-only). */
  asnIpv6CsvPath?: string | null;
  /** Country `.mmdb` (ip-location-db or GeoLite2-Country schema). Default: bundled package. */
  countryPath?: string;
  /** Pre-opened databases (tests, or sharing one copy between providers). */
  asnDatabase?: AsnDatabase;
  countryDatabase?: CountryDatabase;
}

export interface IpProvider extends OfflineProvider {
  /** Which database files and builds answered, for provider metadata. */
  readonly databases: { asn: DatabaseInfo; country: DatabaseInfo };
}

/** Special-purpose addresses are not in routing data; skipping them avoids bogus matches. */
function lookupTarget(address: IpAddress): IpAddress {
  return address.family === 6 ? (mappedIpv4(address) ?? address) : address;
}

/**
 * ASN, country and address class for IPs, CIDRs (by network address) and URLs
 * with an IP host. Both databases are read into memory once, here.
 */
export function createIpProvider(options: IpProviderOptions = {}): IpProvider {
  const asn = options.asnDatabase ?? openAsnDatabase(options.asnPath, options.asnIpv6CsvPath);
  const country = options.countryDatabase ?? openCountryDatabase(options.countryPath);

  const enrich = (context: IndicatorContext): ProviderOutput => {
    const network = context.network;
    if (!network) return {};
    const ipClass = classifyIp(network.address);
    const output: ProviderOutput = { dragnet: { ip_class: ipClass } };
    const fullLength = network.address.family === 4 ? 32 : 128;
    if (context.kind === 'cidr' && network.prefixLength < fullLength) {
      output.dragnet!.ip_range_classes = overlappingClasses(network);
    }
    if (ipClass !== 'public') return output;
    const target = lookupTarget(network.address);
    const as = asn.lookup(target);
    if (as) output.as = { number: as.number, organization: { name: as.organization } };
    const countryCode = country.lookup(target);
    if (countryCode) output.geo = { country_iso_code: countryCode };
    return output;
  };

  return {
    name: IP_PROVIDER_NAME,
    version: IP_PROVIDER_VERSION,
    databases: { asn: asn.info, country: country.info },
    enrich,
  };
}
