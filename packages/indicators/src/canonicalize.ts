import { type Canonical, fail, isHex, quote } from './canonical-forms.js';
import type { CanonicalOptions } from './domain.js';
import { isIpv4, parseIpv6 } from './ip.js';
import { KINDS } from './kinds.js';
import { MAX_VALUE_LENGTH } from './limits.js';
import type { IndicatorKind, RejectReason } from './model.js';
import { refang } from './refang.js';
import { textProblem } from './text.js';

export type { Canonical } from './canonical-forms.js';

/**
 * Canonical form of `raw` as an observable of `kind`: refanged, validated,
 * normalised. A value that is not a valid observable of that kind is a reject
 * with a reason code — never silently turned into something else.
 */
export function canonicalize(kind: IndicatorKind, raw: string, options?: CanonicalOptions): Canonical {
  // Rules (YARA, Sigma) are many lines: line breaks and tabs are their layout, not control characters.
  const problem = valueProblem(KINDS[kind].multiline ? raw.replace(/[\t\n\r]/g, ' ') : raw);
  if (problem) return problem;
  const value = KINDS[kind].verbatim ? raw.trim() : refang(raw);
  if (value.length === 0) return fail('empty_value', 'empty value');
  return KINDS[kind].canonicalize(value, options);
}

/**
 * Why `raw` cannot be an observable whatever its kind: too long to be one
 * (checked first, so nothing else reads a 3 MiB "URL"), or carrying control
 * characters or lone surrogates inside it (WHATWG would silently drop a tab
 * from `http://ev\til.example/`; blanks at either end are trimmed as usual).
 */
function valueProblem(raw: string): Canonical | null {
  if (raw.length > MAX_VALUE_LENGTH)
    return fail('value_too_long', `value of ${raw.length} characters (at most ${MAX_VALUE_LENGTH})`);
  const problem = textProblem(raw.trim());
  if (problem === 'control_character')
    return fail('control_character', `control character in value ${quote(raw)}`);
  if (problem === 'invalid_utf8') return fail('invalid_utf8', `lone UTF-16 surrogate in value ${quote(raw)}`);
  return null;
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
    if ((isIpv4(address) || parseIpv6(address)) && /^\d+$/.test(value.slice(slash + 1))) return 'cidr';
    // `evil.example/gate.php`, `1.2.3.4/x`: a URL written without its scheme (http:// is assumed).
    return address.includes('.') && !/\s/.test(value) ? 'url' : null;
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
  | { ok: true; kind: IndicatorKind; value: string; schemeAssumed?: true }
  | { ok: false; reason: RejectReason; message: string };

/**
 * Detects and canonicalises in one step. A dotted name without a public
 * suffix (`setup.exe`, `report.pdf`) is not a domain: untyped, it is a file name.
 */
export function canonicalizeAny(raw: string, options?: CanonicalOptions): CanonicalWithKind {
  const problem = valueProblem(raw);
  if (problem) return problem as CanonicalWithKind;
  const kind = detectKind(raw);
  if (!kind) {
    return {
      ok: false,
      reason: 'unsupported_type',
      message: `cannot tell what kind of observable this is: ${quote(raw)}`,
    };
  }
  const result = canonicalize(kind, raw, options);
  if (!result.ok && result.reason === 'not_a_domain' && kind === 'domain') {
    const fileName = canonicalize('file-name', raw, options);
    if (fileName.ok) return { ok: true, kind: 'file-name', value: fileName.value };
  }
  if (!result.ok) return result;
  return result.schemeAssumed
    ? { ok: true, kind, value: result.value, schemeAssumed: true }
    : { ok: true, kind, value: result.value };
}
