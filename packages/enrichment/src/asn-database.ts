import { readFileSync, statSync } from 'node:fs';
import { createRequire } from 'node:module';
import { dirname, join } from 'node:path';
import { Reader, type Response } from 'mmdb-lib';
import { formatIpv4, type IpAddress } from './ip-address.js';

/** What the ASN lookup answers. */
export interface AsnRecord {
  number: number;
  organization: string;
}

/** Provenance of a loaded database, recorded as provider metadata. */
export interface DatabaseInfo {
  path: string;
  format: 'csv' | 'mmdb';
  /** npm package and version the file came from, when it sits in one. */
  package: string | null;
  /** ISO date the data was built (mmdb build epoch, or the date encoded in the package version). */
  buildDate: string | null;
  records: number;
}

export interface AsnDatabase {
  readonly info: DatabaseInfo;
  lookup(address: IpAddress): AsnRecord | null;
}

const require = createRequire(import.meta.url);

/**
 * Default ASN data: `@ip-location-db/asn` (RouteViews + RIR + DB-IP, CC BY 4.0).
 * No npm package ships an ASN *mmdb* today (`@ip-location-db/asn-mmdb` is not
 * on the registry), so the default is the same project's numeric CSV, loaded
 * into sorted typed arrays; an operator can point at any GeoLite2-ASN-schema
 * `.mmdb` instead.
 */
export function defaultAsnPaths(): { ipv4: string; ipv6: string } {
  const root = dirname(require.resolve('@ip-location-db/asn/package.json'));
  return { ipv4: join(root, 'asn-ipv4-num.csv'), ipv6: join(root, 'asn-ipv6-num.csv') };
}

interface PackageStamp {
  package: string | null;
  buildDate: string | null;
}

/** ip-location-db versions end in the build hour: `2.3.2026061719` → 2026-06-17T19:00Z. */
export function buildDateFromVersion(version: string): string | null {
  const match = /(\d{4})(\d{2})(\d{2})(\d{2})$/.exec(version);
  if (!match) return null;
  return `${match[1]}-${match[2]}-${match[3]}T${match[4]}:00:00.000Z`;
}

/** Name and build date of the npm package a data file sits in, else the file's mtime. */
export function packageStamp(filePath: string): PackageStamp {
  try {
    const manifest = JSON.parse(readFileSync(join(dirname(filePath), 'package.json'), 'utf8')) as {
      name?: string;
      version?: string;
    };
    if (manifest.name && manifest.version) {
      return {
        package: `${manifest.name}@${manifest.version}`,
        buildDate: buildDateFromVersion(manifest.version),
      };
    }
  } catch {
    // Not inside a package: an operator-supplied file. Fall through to mtime.
  }
  return { package: null, buildDate: statSync(filePath).mtime.toISOString() };
}

/** Splits one CSV row `start,end,asn,org` where org may be quoted with `""` escapes. */
function parseRow(line: string): [string, string, number, string] | null {
  const first = line.indexOf(',');
  const second = line.indexOf(',', first + 1);
  const third = line.indexOf(',', second + 1);
  if (first < 0 || second < 0 || third < 0) return null;
  const asn = Number(line.slice(second + 1, third));
  let org = line.slice(third + 1);
  if (org.startsWith('"')) org = org.slice(1, org.endsWith('"') ? -1 : undefined).replaceAll('""', '"');
  return [line.slice(0, first), line.slice(first + 1, second), asn, org];
}

function forEachLine(text: string, visit: (line: string) => void): void {
  let start = 0;
  while (start < text.length) {
    let end = text.indexOf('\n', start);
    if (end === -1) end = text.length;
    const line = text.charCodeAt(end - 1) === 13 ? text.slice(start, end - 1) : text.slice(start, end);
    if (line.length > 0) visit(line);
    start = end + 1;
  }
}

/** Interns organisation names: ~400k rows share ~80k names. */
class NamePool {
  readonly names: string[] = [];
  private readonly index = new Map<string, number>();
  intern(name: string): number {
    let id = this.index.get(name);
    if (id === undefined) {
      id = this.names.length;
      this.names.push(name);
      this.index.set(name, id);
    }
    return id;
  }
}

/** Sorted, non-overlapping IPv4 ranges; lookup by binary search on the start. */
class Ipv4RangeTable {
  constructor(
    private readonly starts: Uint32Array,
    private readonly ends: Uint32Array,
    private readonly asns: Uint32Array,
    private readonly orgs: Uint32Array,
    private readonly names: readonly string[],
  ) {}

  get size(): number {
    return this.starts.length;
  }

  lookup(value: number): AsnRecord | null {
    let low = 0;
    let high = this.starts.length - 1;
    while (low <= high) {
      const middle = (low + high) >>> 1;
      if (this.starts[middle]! <= value) low = middle + 1;
      else high = middle - 1;
    }
    if (high < 0 || this.ends[high]! < value) return null;
    return { number: this.asns[high]!, organization: this.names[this.orgs[high]!]! };
  }
}

function loadIpv4Csv(path: string, pool: NamePool): Ipv4RangeTable {
  const starts: number[] = [];
  const ends: number[] = [];
  const asns: number[] = [];
  const orgs: number[] = [];
  forEachLine(readFileSync(path, 'utf8'), (line) => {
    const row = parseRow(line);
    if (!row) return;
    starts.push(Number(row[0]));
    ends.push(Number(row[1]));
    asns.push(row[2]);
    orgs.push(pool.intern(row[3]));
  });
  return new Ipv4RangeTable(
    Uint32Array.from(starts),
    Uint32Array.from(ends),
    Uint32Array.from(asns),
    Uint32Array.from(orgs),
    pool.names,
  );
}

const MASK_64 = (1n << 64n) - 1n;

/** IPv6 ranges as (high, low) 64-bit halves; compares the high half first, BigInt only on ties. */
class Ipv6RangeTable {
  constructor(
    private readonly startHigh: BigUint64Array,
    private readonly startLow: BigUint64Array,
    private readonly endHigh: BigUint64Array,
    private readonly endLow: BigUint64Array,
    private readonly asns: Uint32Array,
    private readonly orgs: Uint32Array,
    private readonly names: readonly string[],
  ) {}

  get size(): number {
    return this.startHigh.length;
  }

  lookup(groups: readonly number[]): AsnRecord | null {
    const high = (BigInt(groups[0]! * 65536 + groups[1]!) << 32n) | BigInt(groups[2]! * 65536 + groups[3]!);
    const low = (BigInt(groups[4]! * 65536 + groups[5]!) << 32n) | BigInt(groups[6]! * 65536 + groups[7]!);
    let lo = 0;
    let hi = this.startHigh.length - 1;
    while (lo <= hi) {
      const middle = (lo + hi) >>> 1;
      const sh = this.startHigh[middle]!;
      if (sh < high || (sh === high && this.startLow[middle]! <= low)) lo = middle + 1;
      else hi = middle - 1;
    }
    if (hi < 0) return null;
    const eh = this.endHigh[hi]!;
    if (eh < high || (eh === high && this.endLow[hi]! < low)) return null;
    return { number: this.asns[hi]!, organization: this.names[this.orgs[hi]!]! };
  }
}

function loadIpv6Csv(path: string, pool: NamePool): Ipv6RangeTable {
  const rows: [bigint, bigint, number, number][] = [];
  forEachLine(readFileSync(path, 'utf8'), (line) => {
    const row = parseRow(line);
    if (row) rows.push([BigInt(row[0]), BigInt(row[1]), row[2], pool.intern(row[3])]);
  });
  const table = {
    startHigh: new BigUint64Array(rows.length),
    startLow: new BigUint64Array(rows.length),
    endHigh: new BigUint64Array(rows.length),
    endLow: new BigUint64Array(rows.length),
    asns: new Uint32Array(rows.length),
    orgs: new Uint32Array(rows.length),
  };
  rows.forEach(([start, end, asn, org], index) => {
    table.startHigh[index] = start >> 64n;
    table.startLow[index] = start & MASK_64;
    table.endHigh[index] = end >> 64n;
    table.endLow[index] = end & MASK_64;
    table.asns[index] = asn;
    table.orgs[index] = org;
  });
  return new Ipv6RangeTable(
    table.startHigh,
    table.startLow,
    table.endHigh,
    table.endLow,
    table.asns,
    table.orgs,
    pool.names,
  );
}

/** ip-location-db numeric CSVs (`asn-ipv4-num.csv` + `asn-ipv6-num.csv`), held in typed arrays. */
export function openAsnCsv(paths: { ipv4: string; ipv6: string | null }): AsnDatabase {
  const pool = new NamePool();
  const v4 = loadIpv4Csv(paths.ipv4, pool);
  const v6 = paths.ipv6 ? loadIpv6Csv(paths.ipv6, pool) : null;
  const stamp = packageStamp(paths.ipv4);
  return {
    info: { path: paths.ipv4, format: 'csv', ...stamp, records: v4.size + (v6?.size ?? 0) },
    lookup: (address) =>
      address.family === 4 ? v4.lookup(address.value) : (v6?.lookup(address.groups) ?? null),
  };
}

/** Any mmdb with the GeoLite2-ASN record shape (MaxMind GeoLite2-ASN, ip-location-db asn-mmdb). */
export function openAsnMmdb(path: string): AsnDatabase {
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
      const record = reader.get(formatForMmdb(address));
      if (!record || !('autonomous_system_number' in record) || !record.autonomous_system_number) return null;
      return {
        number: record.autonomous_system_number,
        organization: record.autonomous_system_organization ?? '',
      };
    },
  };
}

/** mmdb-lib takes text; canonical groups are cheap to print. */
export function formatForMmdb(address: IpAddress): string {
  if (address.family === 4) return formatIpv4(address.value);
  return address.groups.map((group) => group.toString(16)).join(':');
}

/** Opens an ASN database by file type: `.mmdb`, or an ip-location-db IPv4 CSV (IPv6 CSV beside it optional). */
export function openAsnDatabase(path?: string, ipv6CsvPath?: string | null): AsnDatabase {
  if (path?.endsWith('.mmdb')) return openAsnMmdb(path);
  if (!path) return openAsnCsv(defaultAsnPaths());
  return openAsnCsv({ ipv4: path, ipv6: ipv6CsvPath ?? null });
}
