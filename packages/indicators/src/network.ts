/**
 * IP networks in CIDR notation. A network is an indicator that matches every
 * address inside it, so a `/0` (or a `/4`) reported by mistake would flag
 * every lookup: networks shorter than a minimum prefix are refused
 * (`network_too_broad`), by default anything wider than an IPv4 /8 or an
 * IPv6 /16 (`MIN_IPV4_PREFIX`, `MIN_IPV6_PREFIX`; a feed may set its own).
 */
import { type Canonical, fail, ok, quote } from './canonical-result.js';
import type { CanonicalOptions } from './domain.js';
import { formatIpv6, maskToPrefix, parseIpv4, parseIpv6 } from './ip.js';
import { MIN_IPV4_PREFIX, MIN_IPV6_PREFIX } from './limits.js';

function tooBroad(value: string, prefix: number, minimum: number, family: string): Canonical {
  return fail(
    'network_too_broad',
    `${family} network ${quote(value)} of prefix /${prefix} is broader than /${minimum}: it would match far too many addresses`,
  );
}

/**
 * A network in CIDR notation, reduced to its network address
 * (`10.1.2.3/8` → `10.0.0.0/8`): partners write either and mean the network.
 * A /32 (or /128) stays a one-address network: turning it into an `ipv4`
 * would give it another STIX id than the partner's own ipv4-addr object.
 */
export function canonicalCidr(value: string, options?: CanonicalOptions): Canonical {
  const slash = value.indexOf('/');
  if (slash === -1) return fail('invalid_cidr', `a CIDR network needs a /prefix: ${quote(value)}`);
  const prefixText = value.slice(slash + 1);
  if (!/^(0|[1-9]\d{0,2})$/.test(prefixText))
    return fail('invalid_cidr', `invalid prefix length ${quote(prefixText)} in ${quote(value)}`);
  const prefix = Number(prefixText);
  const address = value.slice(0, slash);
  const v4 = parseIpv4(address);
  if (v4) {
    if (prefix > 32) return fail('invalid_cidr', `IPv4 prefix length above 32 in ${quote(value)}`);
    const minimum = options?.minIpv4Prefix ?? MIN_IPV4_PREFIX;
    if (prefix === 0 || prefix < minimum) return tooBroad(value, prefix, minimum, 'IPv4');
    return ok(`${maskToPrefix(v4, 8, prefix).join('.')}/${prefix}`);
  }
  const v6 = parseIpv6(address);
  if (v6) {
    if (prefix > 128) return fail('invalid_cidr', `IPv6 prefix length above 128 in ${quote(value)}`);
    const minimum = options?.minIpv6Prefix ?? MIN_IPV6_PREFIX;
    if (prefix === 0 || prefix < minimum) return tooBroad(value, prefix, minimum, 'IPv6');
    return ok(`${formatIpv6(maskToPrefix(v6, 16, prefix))}/${prefix}`);
  }
  return fail('invalid_cidr', `not an IPv4 or IPv6 network: ${quote(value)}`);
}
