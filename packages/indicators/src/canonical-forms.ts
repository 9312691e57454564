/**
 * One canonicaliser per value shape. Each takes an already refanged and
 * trimmed value and either returns its canonical form or says why it is not
 * one: a value is never "fixed" into something it did not say.
 */
import { domainToASCII } from 'node:url';
import { formatIpv6, isIpv4, maskToPrefix, parseIpv4, parseIpv6 } from './ip.js';
import type { RejectReason } from './model.js';

export type Canonical = { ok: true; value: string } | { ok: false; reason: RejectReason; message: string };

export const fail = (reason: RejectReason, message: string): Canonical => ({ ok: false, reason, message });
const ok = (value: string): Canonical => ({ ok: true, value });

/** Values quoted in messages are clipped: a 2 MB "domain" should not become a 2 MB log line. */
export const quote = (value: string): string =>
  JSON.stringify(value.length > 120 ? `${value.slice(0, 120)}…` : value);

export function canonicalIpv4(value: string): Canonical {
  // A strictly valid dotted quad is already canonical: no allocation on the hot path.
  return isIpv4(value)
    ? ok(value)
    : fail('invalid_ipv4', `not a dotted-decimal IPv4 address: ${quote(value)}`);
}

export function canonicalIpv6(value: string): Canonical {
  const bare = value.charCodeAt(0) === 91 /* [ */ && value.endsWith(']') ? value.slice(1, -1) : value;
  const groups = parseIpv6(bare);
  return groups ? ok(formatIpv6(groups)) : fail('invalid_ipv6', `not an IPv6 address: ${quote(value)}`);
}

/**
 * A network in CIDR notation, reduced to its network address
 * (`10.1.2.3/8` → `10.0.0.0/8`): partners write either and mean the network.
 * A /32 (or /128) stays a one-address network: turning it into an `ipv4`
 * would give it another STIX id than the partner's own ipv4-addr object.
 */
export function canonicalCidr(value: string): Canonical {
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
    return ok(`${maskToPrefix(v4, 8, prefix).join('.')}/${prefix}`);
  }
  const v6 = parseIpv6(address);
  if (v6) {
    if (prefix > 128) return fail('invalid_cidr', `IPv6 prefix length above 128 in ${quote(value)}`);
    return ok(`${formatIpv6(maskToPrefix(v6, 16, prefix))}/${prefix}`);
  }
  return fail('invalid_cidr', `not an IPv4 or IPv6 network: ${quote(value)}`);
}

/** Why `name` (lower-case ASCII, no trailing dot) is not a valid host name, or null when it is. */
function domainProblem(name: string): string | null {
  if (name.length > 253) return 'longer than 253 characters';
  let labels = 0;
  let labelStart = 0;
  let allDigits = true;
  for (let position = 0; position <= name.length; position++) {
    const code = position === name.length ? 46 : name.charCodeAt(position);
    if (code === 46 /* . */) {
      const length = position - labelStart;
      if (length === 0) return 'empty label';
      if (length > 63) return `label longer than 63 characters`;
      if (name.charCodeAt(labelStart) === 45 || name.charCodeAt(position - 1) === 45)
        return `label ${quote(name.slice(labelStart, position))} starts or ends with a hyphen`;
      labels++;
      if (position === name.length) {
        if (allDigits) return `all-numeric top-level domain ${quote(name.slice(labelStart))}`;
        if (name.lastIndexOf('_') >= labelStart) return 'underscore in the top-level domain';
      }
      labelStart = position + 1;
      allDigits = true;
      continue;
    }
    const isDigit = code >= 48 && code <= 57;
    // Underscores are not LDH, but real DNS names carry them (`_dmarc`, some C2 hosts): accepted below the TLD.
    if (!isDigit && !(code >= 97 && code <= 122) && code !== 45 && code !== 95)
      return `character ${quote(name[position]!)} not allowed in a host name`;
    if (!isDigit) allDigits = false;
  }
  if (labels < 2) return 'a domain name needs at least two labels';
  return null;
}

/**
 * Lower case, IDNA (punycode) for non-ASCII, no trailing dot, LDH labels of
 * 1–63 characters, at most 253 in all, at least two labels, a TLD that is not
 * all digits (that would be an IP address written oddly, not a name).
 */
export function canonicalDomain(value: string): Canonical {
  let name = value.endsWith('.') ? value.slice(0, -1) : value;
  if (name.length === 0) return fail('invalid_domain', 'empty domain name');
  let ascii = true;
  for (let position = 0; position < name.length; position++) {
    if (name.charCodeAt(position) > 126) {
      ascii = false;
      break;
    }
  }
  if (!ascii || name.includes('xn--')) {
    // Node's WHATWG IDNA (UTS #46) both converts Unicode and rejects malformed punycode.
    const converted = domainToASCII(name);
    if (!converted)
      return fail('invalid_domain', `not a valid internationalised domain name: ${quote(value)}`);
    name = converted;
  } else {
    name = name.toLowerCase();
  }
  const problem = domainProblem(name);
  return problem ? fail('invalid_domain', `invalid domain name ${quote(value)}: ${problem}`) : ok(name);
}

const URL_SCHEMES = new Set(['http:', 'https:', 'ftp:']);

/** The host as written in `value` (between `//`, userinfo and port), before WHATWG rewrote it. */
function rawHostOf(value: string): string {
  const start = value.indexOf('//') + 2;
  let end = start;
  while (end < value.length && !'/?#\\'.includes(value[end]!)) end++;
  let authority = value.slice(start, end);
  authority = authority.slice(authority.lastIndexOf('@') + 1);
  if (authority.startsWith('[')) return authority.slice(0, authority.indexOf(']') + 1);
  const colon = authority.lastIndexOf(':');
  return colon === -1 ? authority : authority.slice(0, colon);
}

/**
 * WHATWG URL parsing, http(s)/ftp only; scheme and host lower-cased, host
 * IDNA-encoded and validated as a domain or IP, default port dropped, empty
 * path as `/`, fragment dropped (never sent to a server). Path and query are
 * kept as the URL parser serialises them (percent-encoding preserved).
 */
export function canonicalUrl(value: string): Canonical {
  if (!/^[a-z][a-z0-9+.-]*:\/\//i.test(value))
    return fail('invalid_url', `URL without a scheme (http://, https://, ftp://): ${quote(value)}`);
  let url: URL;
  try {
    url = new URL(value);
  } catch {
    return fail('invalid_url', `not a URL: ${quote(value)}`);
  }
  if (!URL_SCHEMES.has(url.protocol))
    return fail('invalid_url', `unsupported URL scheme ${quote(url.protocol)} (http, https or ftp)`);
  const host = url.hostname;
  if (host.length === 0) return fail('invalid_url', `URL without a host: ${quote(value)}`);
  if (!host.startsWith('[')) {
    // WHATWG reads `http://0x7f.1/` or `http://010.1.1.1/` as IPv4 and rewrites it; that would be a guess.
    const raw = rawHostOf(value);
    const lastLabel = raw.replace(/\.$/, '').split('.').pop() ?? '';
    if (/^(\d+|0x[0-9a-f]*)$/i.test(lastLabel)) {
      if (!isIpv4(raw))
        return fail('invalid_url', `URL host is not a dotted-decimal IPv4 address: ${quote(raw)}`);
    } else {
      const domain = canonicalDomain(host);
      if (!domain.ok) return fail('invalid_url', `invalid host in URL: ${domain.message}`);
      if (domain.value !== host) url.hostname = domain.value;
    }
  }
  url.hash = '';
  return ok(url.href);
}

/** Local part kept as sent (RFC 5321 lets it be case-sensitive); the domain canonicalised. */
export function canonicalEmail(value: string): Canonical {
  const at = value.lastIndexOf('@');
  if (at <= 0 || at === value.length - 1)
    return fail('invalid_email', `not an e-mail address: ${quote(value)}`);
  const local = value.slice(0, at);
  if (local.length > 64 || /[\s<>()[\],;:"@\\]/.test(local))
    return fail('invalid_email', `invalid local part in ${quote(value)}`);
  const domain = canonicalDomain(value.slice(at + 1));
  if (!domain.ok) return fail('invalid_email', `invalid domain in e-mail address: ${domain.message}`);
  return ok(`${local}@${domain.value}`);
}

export const HASH_LENGTH = { md5: 32, sha1: 40, sha256: 64, sha512: 128 } as const;
export type HashKind = keyof typeof HASH_LENGTH;

/** True when `value` is hex digits only (either case). */
export function isHex(value: string): boolean {
  if (value.length === 0) return false;
  for (let position = 0; position < value.length; position++) {
    const code = value.charCodeAt(position);
    if (code >= 48 && code <= 57) continue;
    // Setting bit 0x20 lower-cases A–F; only A–F and a–f land in a–f that way.
    const lower = code | 0x20;
    if (lower < 97 || lower > 102) return false;
  }
  return true;
}

export function canonicalHash(kind: HashKind, value: string): Canonical {
  if (value.length !== HASH_LENGTH[kind] || !isHex(value)) {
    return fail(
      'invalid_hash',
      `not a ${kind.toUpperCase()} (${HASH_LENGTH[kind]} hex digits): ${quote(value)} has ${value.length} characters`,
    );
  }
  return ok(value.toLowerCase());
}
