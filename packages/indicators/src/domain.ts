/**
 * Domain names: LDH syntax, IDNA (./idna.ts) and a registered public suffix.
 *
 * A name is only a domain when its suffix is in the Public Suffix List (ICANN
 * or private section, via tldts): `setup.exe`, `report.pdf`, `payload.dat`
 * and `x.x.x.x` are file names or noise, and indexing them as domains would
 * accuse whoever later resolves a real `.exe` name. Internal and alternative
 * namespaces (`.local`, `.corp`, `.onion`, `.bit`, `.i2p`) are domains only
 * for a feed that opts in (`CanonicalOptions.internalSuffixes`); `.onion` is
 * in the PSL but is refused without the opt-in all the same.
 */
import { parse as parseDomain } from 'tldts';
import { type Canonical, fail, quote } from './canonical-result.js';
import { idnaToAscii } from './idna.js';

/** The internal / alternative-root suffixes a feed may opt in to (`internalSuffixes` format setting). */
export const INTERNAL_SUFFIXES = ['local', 'corp', 'onion', 'bit', 'i2p'] as const;
export type InternalSuffix = (typeof INTERNAL_SUFFIXES)[number];
const INTERNAL: ReadonlySet<string> = new Set(INTERNAL_SUFFIXES);
/**
 * RFC 2606 / RFC 6761 names reserved for documentation and testing: no real
 * host can have them, so a sample or test feed's `evil.example` accuses no
 * one. Accepted like public suffixes.
 */
const DOCUMENTATION_SUFFIXES: ReadonlySet<string> = new Set(['example', 'test']);

/** Per-feed canonicalisation settings; absent fields take the defaults. */
export interface CanonicalOptions {
  /** Internal suffixes accepted as domains for this feed (default none). */
  readonly internalSuffixes?: readonly InternalSuffix[];
  /** Shortest IPv4 network prefix accepted (default MIN_IPV4_PREFIX). */
  readonly minIpv4Prefix?: number;
  /** Shortest IPv6 network prefix accepted (default MIN_IPV6_PREFIX). */
  readonly minIpv6Prefix?: number;
}

const ok = (value: string): Canonical => ({ ok: true, value });
const XN_LABEL = /(^|\.)xn--/i;

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
      // UTS #46 CheckHyphens: `ab--c` is reserved for A-labels (`xn--`).
      if (length >= 4 && name.charCodeAt(labelStart + 2) === 45 && name.charCodeAt(labelStart + 3) === 45) {
        if (!name.startsWith('xn--', labelStart))
          return `label ${quote(name.slice(labelStart, position))} has hyphens in the 3rd and 4th positions`;
      }
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

const PSL_OPTIONS = {
  allowPrivateDomains: true,
  extractHostname: false,
  validateHostname: false,
  detectIp: false,
  mixedInputs: false,
} as const;

/** Null when `name` (syntactically valid, lower-case ASCII) ends in a suffix this feed accepts. */
export function publicSuffixProblem(name: string, options: CanonicalOptions | undefined): string | null {
  const tld = name.slice(name.lastIndexOf('.') + 1);
  if (INTERNAL.has(tld)) {
    return options?.internalSuffixes?.includes(tld as InternalSuffix)
      ? null
      : `.${tld} is an internal or alternative-root suffix this feed has not opted in to`;
  }
  if (DOCUMENTATION_SUFFIXES.has(tld)) return null;
  const parsed = parseDomain(name, PSL_OPTIONS);
  if (parsed.isIcann || parsed.isPrivate) return null;
  return `.${parsed.publicSuffix ?? tld} is not a public suffix (a file name?)`;
}

/**
 * Lower case, IDNA (UTS #46, strict: ./idna.ts) for non-ASCII and `xn--`
 * names, no trailing dot, LDH labels of 1–63 characters (underscores below
 * the TLD), at most 253 in all, at least two labels, a TLD that is not all
 * digits, and a registered public suffix. Syntax errors are
 * `invalid_domain`; a well-formed name without a public suffix is
 * `not_a_domain`.
 */
export function canonicalDomain(value: string, options?: CanonicalOptions): Canonical {
  const checked = domainSyntax(value);
  if (!checked.ok) return checked;
  const problem = publicSuffixProblem(checked.value, options);
  return problem ? fail('not_a_domain', `${quote(value)} is not a domain name: ${problem}`) : checked;
}

/** `canonicalDomain` without the public-suffix check (hosts of URLs are checked by the caller). */
export function domainSyntax(value: string): Canonical {
  let name = value.endsWith('.') ? value.slice(0, -1) : value;
  if (name.length === 0) return fail('invalid_domain', 'empty domain name');
  let ascii = true;
  for (let position = 0; position < name.length; position++) {
    if (name.charCodeAt(position) > 126) {
      ascii = false;
      break;
    }
  }
  if (!ascii || XN_LABEL.test(name)) {
    const converted = idnaToAscii(name);
    if (!converted.ok)
      return fail(
        'invalid_domain',
        `not a valid internationalised domain name ${quote(value)}: ${converted.problem}`,
      );
    name = converted.ascii;
  } else {
    name = name.toLowerCase();
  }
  const problem = domainProblem(name);
  return problem ? fail('invalid_domain', `invalid domain name ${quote(value)}: ${problem}`) : ok(name);
}
