/**
 * Minimal, allocation-light IP parsing for enrichment. Indicator values are
 * already canonical (RFC 5952 IPv6, CIDR at its network address), so these
 * parsers favour speed over diagnostics: they return null on anything odd.
 */

export interface Ipv4Address {
  family: 4;
  /** Unsigned 32-bit value. */
  value: number;
}

export interface Ipv6Address {
  family: 6;
  /** Eight 16-bit groups, most significant first. */
  groups: readonly number[];
}

export type IpAddress = Ipv4Address | Ipv6Address;

export interface IpNetwork {
  address: IpAddress;
  prefixLength: number;
}

export function parseIpv4(text: string): Ipv4Address | null {
  let value = 0;
  let octet = 0;
  let digits = 0;
  let dots = 0;
  for (let index = 0; index < text.length; index++) {
    const code = text.charCodeAt(index);
    if (code === 46) {
      if (digits === 0) return null;
      value = value * 256 + octet;
      octet = 0;
      digits = 0;
      dots++;
      continue;
    }
    if (code < 48 || code > 57 || digits === 3) return null;
    octet = octet * 10 + (code - 48);
    if (octet > 255) return null;
    digits++;
  }
  if (dots !== 3 || digits === 0) return null;
  return { family: 4, value: value * 256 + octet };
}

function parseGroups(part: string): number[] | null {
  if (part === '') return [];
  const groups: number[] = [];
  for (const group of part.split(':')) {
    if (group.length === 0 || group.length > 4) return null;
    const parsed = Number.parseInt(group, 16);
    if (Number.isNaN(parsed) || !/^[0-9a-fA-F]+$/.test(group)) return null;
    groups.push(parsed);
  }
  return groups;
}

export function parseIpv6(text: string): Ipv6Address | null {
  if (!text.includes(':') || text.includes('%')) return null;
  let body = text;
  const tail: number[] = [];
  const lastColon = body.lastIndexOf(':');
  if (body.indexOf('.', lastColon) !== -1) {
    // Embedded IPv4 tail (`::ffff:1.2.3.4`): two more groups.
    const v4 = parseIpv4(body.slice(lastColon + 1));
    if (!v4) return null;
    tail.push(v4.value >>> 16, v4.value & 0xffff);
    // Keep a `::` that ends right before the tail; otherwise drop the separator.
    body = body.slice(0, body[lastColon - 1] === ':' ? lastColon + 1 : lastColon);
  }
  const halves = body.split('::');
  if (halves.length > 2) return null;
  const head = parseGroups(halves[0]!);
  const rest = halves.length === 2 ? parseGroups(halves[1]!) : [];
  if (!head || !rest) return null;
  const explicit = head.length + rest.length + tail.length;
  let groups: number[];
  if (halves.length === 2) {
    if (explicit > 7) return null;
    groups = [...head, ...new Array<number>(8 - explicit).fill(0), ...rest, ...tail];
  } else {
    groups = [...head, ...tail];
  }
  return groups.length === 8 ? { family: 6, groups } : null;
}

export function parseIp(text: string): IpAddress | null {
  return text.includes(':') ? parseIpv6(text) : parseIpv4(text);
}

export function parseCidr(text: string): IpNetwork | null {
  const slash = text.indexOf('/');
  const address = parseIp(slash === -1 ? text : text.slice(0, slash));
  if (!address) return null;
  const max = address.family === 4 ? 32 : 128;
  if (slash === -1) return { address, prefixLength: max };
  const lengthText = text.slice(slash + 1);
  if (!/^\d{1,3}$/.test(lengthText)) return null;
  const prefixLength = Number(lengthText);
  return prefixLength <= max ? { address, prefixLength } : null;
}

/** Bit `index` (0 = most significant) of the address. */
export function addressBit(address: IpAddress, index: number): number {
  if (address.family === 4) return (address.value >>> (31 - index)) & 1;
  return (address.groups[index >> 4]! >>> (15 - (index & 15))) & 1;
}

export function formatIpv4(value: number): string {
  return `${value >>> 24}.${(value >>> 16) & 255}.${(value >>> 8) & 255}.${value & 255}`;
}

/** IPv4 address embedded in an IPv4-mapped IPv6 address (`::ffff:0:0/96`), else null. */
export function mappedIpv4(address: Ipv6Address): Ipv4Address | null {
  const g = address.groups;
  if (g[0] || g[1] || g[2] || g[3] || g[4] || g[5] !== 0xffff) return null;
  return { family: 4, value: g[6]! * 65536 + g[7]! };
}
