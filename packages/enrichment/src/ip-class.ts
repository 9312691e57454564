import { type IpAddress, type IpNetwork, mappedIpv4, parseCidr } from './ip-address.js';

/** Coarse address class; everything not in the special-purpose table is `public`. */
export type IpClass =
  | 'public'
  | 'private'
  | 'cgnat'
  | 'loopback'
  | 'link_local'
  | 'multicast'
  | 'documentation'
  | 'benchmarking'
  | 'unspecified'
  | 'broadcast'
  | 'reserved';

export interface SpecialBlock {
  cidr: string;
  ipClass: IpClass;
  reference: string;
}

/**
 * Special-purpose blocks, after the IANA IPv4/IPv6 Special-Purpose Address
 * Registries (RFC 6890) plus the bogon space the registries imply. The most
 * specific block wins, so nested entries (2001:db8::/32 in 2001::/23, 2000::/3
 * in ::/0) work without ordering tricks.
 */
export const SPECIAL_BLOCKS: readonly SpecialBlock[] = [
  { cidr: '0.0.0.0/8', ipClass: 'unspecified', reference: 'RFC 1122 §3.2.1.3 ("this network")' },
  { cidr: '10.0.0.0/8', ipClass: 'private', reference: 'RFC 1918' },
  { cidr: '100.64.0.0/10', ipClass: 'cgnat', reference: 'RFC 6598 (shared address space)' },
  { cidr: '127.0.0.0/8', ipClass: 'loopback', reference: 'RFC 1122 §3.2.1.3' },
  { cidr: '169.254.0.0/16', ipClass: 'link_local', reference: 'RFC 3927' },
  { cidr: '172.16.0.0/12', ipClass: 'private', reference: 'RFC 1918' },
  { cidr: '192.0.0.0/24', ipClass: 'reserved', reference: 'RFC 6890 (IETF protocol assignments)' },
  { cidr: '192.0.2.0/24', ipClass: 'documentation', reference: 'RFC 5737 (TEST-NET-1)' },
  { cidr: '192.88.99.0/24', ipClass: 'reserved', reference: 'RFC 7526 (deprecated 6to4 relay anycast)' },
  { cidr: '192.168.0.0/16', ipClass: 'private', reference: 'RFC 1918' },
  { cidr: '198.18.0.0/15', ipClass: 'benchmarking', reference: 'RFC 2544' },
  { cidr: '198.51.100.0/24', ipClass: 'documentation', reference: 'RFC 5737 (TEST-NET-2)' },
  { cidr: '203.0.113.0/24', ipClass: 'documentation', reference: 'RFC 5737 (TEST-NET-3)' },
  { cidr: '224.0.0.0/4', ipClass: 'multicast', reference: 'RFC 5771' },
  { cidr: '240.0.0.0/4', ipClass: 'reserved', reference: 'RFC 1112 §4 (class E, future use)' },
  { cidr: '255.255.255.255/32', ipClass: 'broadcast', reference: 'RFC 919 / RFC 8190' },
  // IPv6: only 2000::/3 is allocated global unicast (RFC 4291 §2.4); the rest is bogon.
  { cidr: '::/0', ipClass: 'reserved', reference: 'RFC 4291 §2.4 (outside 2000::/3 global unicast)' },
  { cidr: '2000::/3', ipClass: 'public', reference: 'RFC 4291 §2.4 (global unicast)' },
  { cidr: '::/128', ipClass: 'unspecified', reference: 'RFC 4291 §2.5.2' },
  { cidr: '::1/128', ipClass: 'loopback', reference: 'RFC 4291 §2.5.3' },
  { cidr: '64:ff9b:1::/48', ipClass: 'private', reference: 'RFC 8215 (local-use NAT64)' },
  { cidr: '100::/64', ipClass: 'reserved', reference: 'RFC 6666 (discard-only)' },
  { cidr: '2001::/23', ipClass: 'reserved', reference: 'RFC 2928 (IETF protocol assignments)' },
  { cidr: '2001:db8::/32', ipClass: 'documentation', reference: 'RFC 3849' },
  { cidr: '3fff::/20', ipClass: 'documentation', reference: 'RFC 9637' },
  { cidr: 'fc00::/7', ipClass: 'private', reference: 'RFC 4193 (unique local)' },
  { cidr: 'fe80::/10', ipClass: 'link_local', reference: 'RFC 4291 §2.5.6' },
  { cidr: 'fec0::/10', ipClass: 'reserved', reference: 'RFC 3879 (deprecated site-local)' },
  { cidr: 'ff00::/8', ipClass: 'multicast', reference: 'RFC 4291 §2.7' },
];

interface CompiledBlock {
  network: IpNetwork;
  ipClass: IpClass;
}

const COMPILED: readonly CompiledBlock[] = SPECIAL_BLOCKS.map((block) => ({
  network: parseCidr(block.cidr)!,
  ipClass: block.ipClass,
}))
  // Longest prefix first: the first containing block is the most specific.
  .sort((a, b) => b.network.prefixLength - a.network.prefixLength);

/** True when both addresses agree on their first `length` bits. */
export function sharesPrefix(a: IpAddress, b: IpAddress, length: number): boolean {
  if (a.family === 4 && b.family === 4) {
    const divisor = 2 ** (32 - length);
    return Math.floor(a.value / divisor) === Math.floor(b.value / divisor);
  }
  if (a.family !== 6 || b.family !== 6) return false;
  const whole = length >> 4;
  for (let group = 0; group < whole; group++) if (a.groups[group] !== b.groups[group]) return false;
  const rest = length & 15;
  if (rest === 0) return true;
  const shift = 16 - rest;
  return a.groups[whole]! >>> shift === b.groups[whole]! >>> shift;
}

/** Class of one address; IPv4-mapped IPv6 addresses are classed by their IPv4 part. */
export function classifyIp(address: IpAddress): IpClass {
  const target = address.family === 6 ? (mappedIpv4(address) ?? address) : address;
  for (const block of COMPILED) {
    if (block.network.address.family !== target.family) continue;
    if (sharesPrefix(block.network.address, target, block.network.prefixLength)) return block.ipClass;
  }
  return 'public';
}

/**
 * Non-public classes that a CIDR range overlaps (either block contains the
 * other), so a partner's `0.0.0.0/0` or `8.0.0.0/6` is flagged even though its
 * network address alone looks harmless. IPv6 `::/0` is skipped: it would make
 * every IPv6 range "reserved".
 */
export function overlappingClasses(network: IpNetwork): IpClass[] {
  const found = new Set<IpClass>();
  for (const block of COMPILED) {
    const blockNetwork = block.network;
    if (block.ipClass === 'public' || blockNetwork.address.family !== network.address.family) continue;
    if (blockNetwork.prefixLength === 0) continue;
    const shorter = Math.min(blockNetwork.prefixLength, network.prefixLength);
    if (sharesPrefix(blockNetwork.address, network.address, shorter)) found.add(block.ipClass);
  }
  return [...found].sort();
}
