import { type Canonical, fail, isHex, quote } from './canonical-forms.js';
import { isIpv4, parseIpv6 } from './ip.js';
import { KINDS } from './kinds.js';
import type { IndicatorKind, RejectReason } from './model.js';
import { refang } from './refang.js';

export type { Canonical } from './canonical-forms.js';

/**
 * Canonical form of `raw` as an observable of `kind`: refanged, validated,
 * normalised. A value that is not a valid observable of that kind is a reject
 * with a reason code — never silently turned into something else.
 */
export function canonicalize(kind: IndicatorKind, raw: string): Canonical {
  const value = refang(raw);
  if (value.length === 0) return fail('empty_value', 'empty value');
  return KINDS[kind].canonicalize(value);
}

const HASH_BY_LENGTH: Readonly<Record<number, IndicatorKind>> = {
  32: 'md5',
  40: 'sha1',
  64: 'sha256',
  128: 'sha512',
};
const URL_LIKE = /^[a-z][a-z0-9+.-]*:\/\//i;

/**
 * Types an untyped value (lists without a type column, the lookup API) by its
 * shape, after refanging. It only classifies — the value may still fail that
 * kind's validation. Null when the value looks like none of the kinds.
 * Order matters: hex of a hash length before anything else (a 32-hex string
 * is never a domain), scheme before `@` (URLs carry userinfo), `/` only for
 * networks.
 */
export function detectKind(raw: string): IndicatorKind | null {
  const value = refang(raw);
  if (value.length === 0) return null;
  const hashKind = HASH_BY_LENGTH[value.length];
  if (hashKind && isHex(value)) return hashKind;
  if (URL_LIKE.test(value)) return 'url';
  const slash = value.indexOf('/');
  if (slash !== -1) {
    const address = value.slice(0, slash);
    return isIpv4(address) || parseIpv6(address) ? 'cidr' : null;
  }
  if (isIpv4(value)) return 'ipv4';
  if (value.includes(':')) {
    const bare = value.startsWith('[') && value.endsWith(']') ? value.slice(1, -1) : value;
    return parseIpv6(bare) ? 'ipv6' : null;
  }
  if (value.includes('@')) return 'email';
  if (value.includes('.') && !/\s/.test(value)) return 'domain';
  return null;
}

export type CanonicalWithKind =
  | { ok: true; kind: IndicatorKind; value: string }
  | { ok: false; reason: RejectReason; message: string };

/** Detects and canonicalises in one step. */
export function canonicalizeAny(raw: string): CanonicalWithKind {
  const kind = detectKind(raw);
  if (!kind) {
    return {
      ok: false,
      reason: 'unsupported_type',
      message: `cannot tell what kind of observable this is: ${quote(raw)}`,
    };
  }
  const result = canonicalize(kind, raw);
  return result.ok ? { ok: true, kind, value: result.value } : result;
}
