import { domainToASCII } from 'node:url';
import { formatIpv6, maskToPrefix, parseIpv4, parseIpv6 } from './ip.js';
import type { IndicatorKind, RejectReason } from './model.js';
import { refang } from './refang.js';

export type Canonical = { ok: true; value: string } | { ok: false; reason: RejectReason; message: string };

const fail = (reason: RejectReason, message: string): Canonical => ({ ok: false, reason, message });
const ok = (value: string): Canonical => ({ ok: true, value });

const HASH_LENGTH = { md5: 32, sha1: 40, sha256: 64, sha512: 128 } as const;
const HEX = /^[0-9a-f]+$/;
const LABEL = /^(?!-)[a-z0-9-]{1,63}(?<!-)$/;
const URL_SCHEMES = new Set(['http:', 'https:', 'ftp:']);

export function canonicalIpv4(value: string): Canonical {
  const octets = parseIpv4(value);
  return octets
    ? ok(octets.join('.'))
    : fail('invalid_ipv4', `not a dotted-decimal IPv4 address: ${JSON.stringify(value)}`);
}

export function canonicalIpv6(value: string): Canonical {
  const groups = parseIpv6(value.startsWith('[') && value.endsWith(']') ? value.slice(1, -1) : value);
  return groups
    ? ok(formatIpv6(groups))
    : fail('invalid_ipv6', `not an IPv6 address: ${JSON.stringify(value)}`);
}

/** A network in CIDR notation, reduced to its network address (`10.1.2.3/8` → `10.0.0.0/8`). */
export function canonicalCidr(value: string): Canonical {
  const slash = value.indexOf('/');
  if (slash === -1) return fail('invalid_cidr', `a CIDR network needs a /prefix: ${JSON.stringify(value)}`);
  const address = value.slice(0, slash);
  const prefixText = value.slice(slash + 1);
  if (!/^\d{1,3}$/.test(prefixText))
    return fail('invalid_cidr', `invalid prefix length in ${JSON.stringify(value)}`);
  const prefix = Number(prefixText);
  const v4 = parseIpv4(address);
  if (v4) {
    if (prefix > 32) return fail('invalid_cidr', `IPv4 prefix length above 32 in ${JSON.stringify(value)}`);
    return ok(`${maskToPrefix(v4, 8, prefix).join('.')}/${prefix}`);
  }
  const v6 = parseIpv6(address);
  if (v6) {
    if (prefix > 128) return fail('invalid_cidr', `IPv6 prefix length above 128 in ${JSON.stringify(value)}`);
    return ok(`${formatIpv6(maskToPrefix(v6, 16, prefix))}/${prefix}`);
  }
  return fail('invalid_cidr', `not an IPv4 or IPv6 network: ${JSON.stringify(value)}`);
}

/**
 * Lower-case, IDNA (punycode) for non-ASCII, no trailing dot, LDH labels of
 * 1–63 characters, at most 253 in all, at least two labels, a TLD that is not
 * all digits (that would be an IP address, not a name).
 */
export function canonicalDomain(value: string): Canonical {
  let name = value.endsWith('.') ? value.slice(0, -1) : value;
  if (name.length === 0) return fail('invalid_domain', 'empty domain name');
  if (/[^\x21-\x7e]/.test(name) || /[A-Z]/.test(name)) {
    const ascii = domainToASCII(name);
    if (!ascii)
      return fail('invalid_domain', `not a valid internationalised domain name: ${JSON.stringify(value)}`);
    name = ascii;
  }
  name = name.toLowerCase();
  if (name.length > 253)
    return fail(
      'invalid_domain',
      `domain name longer than 253 characters: ${JSON.stringify(value.slice(0, 80))}…`,
    );
  const labels = name.split('.');
  if (labels.length < 2)
    return fail('invalid_domain', `a domain name needs at least two labels: ${JSON.stringify(value)}`);
  // Underscores appear in real DNS names (SRV records, some malware C2s): allowed except in the TLD.
  for (const label of labels.slice(0, -1)) {
    if (!LABEL.test(label.replaceAll('_', 'a')))
      return fail('invalid_domain', `invalid label ${JSON.stringify(label)} in ${JSON.stringify(value)}`);
  }
  const tld = labels.at(-1)!;
  if (!LABEL.test(tld) || /^\d+$/.test(tld))
    return fail(
      'invalid_domain',
      `invalid top-level domain ${JSON.stringify(tld)} in ${JSON.stringify(value)}`,
    );
  return ok(name);
}

/**
 * WHATWG URL parsing, http(s)/ftp only, host canonicalised as a domain or IP,
 * default port dropped, empty path as `/`, fragment dropped. Path and query
 * are kept as the parser normalised them (percent-encoding preserved).
 */
export function canonicalUrl(value: string): Canonical {
  let url: URL;
  try {
    url = new URL(value);
  } catch {
    return fail('invalid_url', `not a URL: ${JSON.stringify(value.slice(0, 200))}`);
  }
  if (!URL_SCHEMES.has(url.protocol))
    return fail('invalid_url', `unsupported URL scheme ${JSON.stringify(url.protocol)} (http, https, ftp)`);
  const host = url.hostname;
  if (host.length === 0)
    return fail('invalid_url', `URL without a host: ${JSON.stringify(value.slice(0, 200))}`);
  if (!host.startsWith('[') && !parseIpv4(host)) {
    const domain = canonicalDomain(host);
    if (!domain.ok) return fail('invalid_url', `invalid host in URL: ${domain.message}`);
  }
  url.hash = '';
  const text = url.href;
  return ok(text.endsWith('#') ? text.slice(0, -1) : text);
}

/** Local part kept as sent (it may be case-sensitive); the domain canonicalised. */
export function canonicalEmail(value: string): Canonical {
  const at = value.lastIndexOf('@');
  if (at <= 0 || at === value.length - 1)
    return fail('invalid_email', `not an e-mail address: ${JSON.stringify(value)}`);
  const local = value.slice(0, at);
  if (local.length > 64 || /[\s<>()[\],;:"@]/.test(local))
    return fail('invalid_email', `invalid local part in ${JSON.stringify(value)}`);
  const domain = canonicalDomain(value.slice(at + 1));
  if (!domain.ok) return fail('invalid_email', `invalid domain in e-mail address: ${domain.message}`);
  return ok(`${local}@${domain.value}`);
}

export function canonicalHash(kind: keyof typeof HASH_LENGTH, value: string): Canonical {
  const lower = value.toLowerCase();
  if (lower.length !== HASH_LENGTH[kind] || !HEX.test(lower)) {
    return fail(
      'invalid_hash',
      `not a ${kind.toUpperCase()} (${HASH_LENGTH[kind]} hex digits): ${JSON.stringify(value.slice(0, 200))}`,
    );
  }
  return ok(lower);
}

/**
 * Canonical form of `raw` as an observable of `kind`: refanged, validated,
 * normalised. A value that is not a valid observable of that kind is a reject
 * with a reason code — never silently turned into something else.
 */
export function canonicalize(kind: IndicatorKind, raw: string): Canonical {
  const value = refang(raw);
  if (value.length === 0) return fail('empty_value', 'empty value');
  switch (kind) {
    case 'ipv4':
      return canonicalIpv4(value);
    case 'ipv6':
      return canonicalIpv6(value);
    case 'cidr':
      return canonicalCidr(value);
    case 'domain':
      return canonicalDomain(value);
    case 'url':
      return canonicalUrl(value);
    case 'email':
      return canonicalEmail(value);
    case 'md5':
    case 'sha1':
    case 'sha256':
    case 'sha512':
      return canonicalHash(kind, value);
  }
}

const HASH_BY_LENGTH: Record<number, IndicatorKind> = { 32: 'md5', 40: 'sha1', 64: 'sha256', 128: 'sha512' };

/**
 * Types an untyped value (lists without a type column, the lookup API):
 * the first kind whose shape it has. Returns null when nothing fits.
 */
export function detectKind(raw: string): IndicatorKind | null {
  const value = refang(raw);
  if (value.length === 0) return null;
  if (HEX.test(value.toLowerCase()) && HASH_BY_LENGTH[value.length]) return HASH_BY_LENGTH[value.length]!;
  if (/^[a-z][a-z0-9+.-]*:\/\//i.test(value)) return 'url';
  if (value.includes('/'))
    return parseIpv4(value.split('/')[0]!) || parseIpv6(value.split('/')[0]!) ? 'cidr' : null;
  if (parseIpv4(value)) return 'ipv4';
  if (value.includes(':') && parseIpv6(value.replace(/^\[|\]$/g, ''))) return 'ipv6';
  if (value.includes('@')) return 'email';
  if (value.includes('.') && !/\s/.test(value)) return 'domain';
  return null;
}

/** Detects and canonicalises in one step; the reject says what the value looked like. */
export function canonicalizeAny(
  raw: string,
):
  | ({ kind: IndicatorKind } & { ok: true; value: string })
  | { ok: false; reason: RejectReason; message: string } {
  const kind = detectKind(raw);
  if (!kind)
    return {
      ok: false,
      reason: 'unsupported_type',
      message: `cannot tell what kind of observable this is: ${JSON.stringify(raw.slice(0, 200))}`,
    };
  const result = canonicalize(kind, raw);
  return result.ok ? { ...result, kind } : result;
}
