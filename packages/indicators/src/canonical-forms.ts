/**
 * One canonicaliser per value shape. Each takes an already refanged and
 * trimmed value and either returns its canonical form or says why it is not
 * one: a value is never "fixed" into something it did not say.
 */
import { type Canonical, fail, ok, quote } from './canonical-result.js';
import { type CanonicalOptions, canonicalDomain } from './domain.js';
import { formatIpv6, isIpv4, parseIpv6 } from './ip.js';

export { type Canonical, fail, quote } from './canonical-result.js';
// Networks, domains and URLs have their own modules; re-exported here, where the kind registry looks.
export { type CanonicalOptions, canonicalDomain } from './domain.js';
export { canonicalCidr } from './network.js';
export { canonicalUrl } from './url.js';

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

/** Local part kept as sent (RFC 5321 lets it be case-sensitive); the domain canonicalised. */
export function canonicalEmail(value: string, options?: CanonicalOptions): Canonical {
  const at = value.lastIndexOf('@');
  if (at <= 0 || at === value.length - 1)
    return fail('invalid_email', `not an e-mail address: ${quote(value)}`);
  const local = value.slice(0, at);
  if (local.length > 64 || /[\s<>()[\],;:"@\\]/.test(local))
    return fail('invalid_email', `invalid local part in ${quote(value)}`);
  const domain = canonicalDomain(value.slice(at + 1), options);
  if (!domain.ok) return fail('invalid_email', `invalid domain in e-mail address: ${domain.message}`);
  return ok(`${local}@${domain.value}`);
}

/** Hex digests by kind: file hashes, PE import/authenticode hashes, X.509 fingerprints. */
export const HASH_LENGTH = {
  md5: 32,
  sha1: 40,
  sha256: 64,
  sha512: 128,
  sha224: 56,
  sha384: 96,
  'sha3-256': 64,
  'sha3-512': 128,
  imphash: 32,
  authentihash: 64,
  pehash: 40,
  'x509-md5': 32,
  'x509-sha1': 40,
  'x509-sha256': 64,
} as const;
export type HexHashKind = keyof typeof HASH_LENGTH;
/** The four kinds a fixed-kind hash list (CSV `fixedKind`) and the pre-registry code know. */
export type HashKind = 'md5' | 'sha1' | 'sha256' | 'sha512';

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

export function canonicalHash(kind: HexHashKind, value: string): Canonical {
  if (value.length !== HASH_LENGTH[kind] || !isHex(value)) {
    return fail(
      'invalid_hash',
      `not a ${kind.toUpperCase()} (${HASH_LENGTH[kind]} hex digits): ${quote(value)} has ${value.length} characters`,
    );
  }
  return ok(value.toLowerCase());
}

/** Fuzzy hashes: ssdeep `blocksize:hash:hash` (base64 alphabet, case-sensitive), kept as sent. */
export function canonicalSsdeep(value: string): Canonical {
  const match = /^(\d{1,10}):([A-Za-z0-9/+]{1,64}):([A-Za-z0-9/+]{1,64})$/.exec(value);
  const blockSize = match ? Number(match[1]) : 0;
  // ssdeep block sizes are 3 × 2^n.
  const validBlock = blockSize >= 3 && blockSize % 3 === 0 && ((blockSize / 3) & (blockSize / 3 - 1)) === 0;
  return match && validBlock && match[1]![0] !== '0'
    ? ok(value)
    : fail('invalid_hash', `not an ssdeep hash (blocksize:hash:hash): ${quote(value)}`);
}

/**
 * TLSH: 70 hex digits, upper case as TLSH prints them. The `T1` version
 * prefix of current releases (the only version there is) is accepted and
 * dropped: STIX 2.1 defines a TLSH hash as exactly 70 characters (its JSON
 * schema refuses the prefix), so `T1…` and the bare digits are one digest.
 */
export function canonicalTlsh(value: string): Canonical {
  const upper = value.toUpperCase();
  const digits = upper.startsWith('T1') && upper.length === 72 ? upper.slice(2) : upper;
  return digits.length === 70 && isHex(digits)
    ? ok(digits)
    : fail('invalid_hash', `not a TLSH digest (T1 + 70 hex digits): ${quote(value)}`);
}

const PATH_SEPARATOR = /[/\\]/;

/** A file name without a directory: as sent (file systems differ on case), no separator, at most 255 characters. */
export function canonicalFileName(value: string): Canonical {
  if (PATH_SEPARATOR.test(value))
    return fail('invalid_file_name', `a file name has no directory separator: ${quote(value)}`);
  if (value === '.' || value === '..' || value.length > 255)
    return fail('invalid_file_name', `not a file name: ${quote(value)}`);
  return ok(value);
}

/**
 * A file with its directory (`/usr/lib/x.so`, `C:\\Windows\\x.exe`,
 * `%TEMP%\\x.dll`): as sent, so long as it ends in a file name.
 */
export function canonicalFilePath(value: string): Canonical {
  const split = splitFilePath(value);
  if (!split) return fail('invalid_path', `not a path to a file (directory and name): ${quote(value)}`);
  const name = canonicalFileName(split.name);
  return name.ok ? ok(value) : fail('invalid_path', `invalid file name in path ${quote(value)}`);
}

/** `C:\\x\\y.exe` → `C:\\x` + `y.exe`; the root keeps its separator (`/x` → `/`, `C:\\x` → `C:\\`). */
export function splitFilePath(value: string): { directory: string; name: string } | null {
  const last = Math.max(value.lastIndexOf('/'), value.lastIndexOf('\\'));
  if (last === -1 || last === value.length - 1) return null;
  const head = value.slice(0, last);
  const directory = head === '' || /^[A-Za-z]:$/.test(head) ? value.slice(0, last + 1) : head;
  return { directory, name: value.slice(last + 1) };
}

/** A directory as sent, without trailing separators (a root keeps its one). */
export function canonicalDirectory(value: string): Canonical {
  const trimmed = value.replace(/[/\\]+$/, '');
  if (trimmed === '' || /^[A-Za-z]:$/.test(trimmed)) return ok(`${trimmed}${value[trimmed.length] ?? ''}`);
  return ok(trimmed);
}

/** Registry hive names and their abbreviations → the full name STIX 2.1 requires. */
const REGISTRY_HIVES: ReadonlyMap<string, string> = new Map(
  (
    [
      ['HKEY_LOCAL_MACHINE', 'HKLM'],
      ['HKEY_CURRENT_USER', 'HKCU'],
      ['HKEY_CLASSES_ROOT', 'HKCR'],
      ['HKEY_USERS', 'HKU'],
      ['HKEY_CURRENT_CONFIG', 'HKCC'],
      ['HKEY_PERFORMANCE_DATA', 'HKPD'],
    ] as const
  ).flatMap(([name, short]) => [
    [name, name],
    [short, name],
  ]),
);

/**
 * A Windows registry key with its hive spelled out (STIX 2.1 §6.13:
 * `HKEY_LOCAL_MACHINE`, not `HKLM`), the rest case-preserved as STIX asks;
 * runs of backslashes collapsed (a key name cannot contain one) and trailing
 * ones dropped. A key without a known hive is a reject: it names no key.
 */
export function canonicalRegistryKey(value: string): Canonical {
  const collapsed = value.replace(/\\+/g, '\\').replace(/\\$/, '');
  const slash = collapsed.indexOf('\\');
  const hive = REGISTRY_HIVES.get((slash === -1 ? collapsed : collapsed.slice(0, slash)).toUpperCase());
  if (!hive)
    return fail(
      'invalid_registry_key',
      `registry key without a hive (HKLM\\…, HKEY_CURRENT_USER\\…): ${quote(value)}`,
    );
  return ok(slash === -1 ? hive : `${hive}${collapsed.slice(slash)}`);
}

/**
 * An X.509 serial number as colon-separated lower-case hex octets
 * (`29:78:63`, as OpenSSL prints it): `2978 63`, `297863` and `29:78:63`
 * are one serial. A leading zero nibble is added to an odd count of digits.
 */
export function canonicalSerialNumber(value: string): Canonical {
  const digits = value.replace(/[:\s-]/g, '');
  if (!isHex(digits) || digits.length > 128)
    return fail('invalid_serial_number', `not a hexadecimal serial number: ${quote(value)}`);
  const even = digits.length % 2 === 1 ? `0${digits}` : digits;
  return ok(even.toLowerCase().replace(/(..)(?!$)/g, '$1:'));
}

/** An autonomous system number, `AS13335` or `13335` → `13335` (32-bit, RFC 6793). */
export function canonicalAsn(value: string): Canonical {
  const match = /^(?:AS)?\s?(\d{1,10})$/i.exec(value);
  const number = match ? Number(match[1]) : Number.NaN;
  return number <= 0xffff_ffff
    ? ok(String(number))
    : fail('invalid_asn', `not an autonomous system number (0–4294967295): ${quote(value)}`);
}

/** A MAC-48 address as STIX wants it: lower case, colon-separated, leading zeros (`00:1a:2b:3c:4d:5e`). */
export function canonicalMac(value: string): Canonical {
  const digits = /^[0-9a-f]{2}([:-])(?:[0-9a-f]{2}\1){4}[0-9a-f]{2}$/i.test(value)
    ? value.replace(/[:-]/g, '')
    : /^[0-9a-f]{4}\.[0-9a-f]{4}\.[0-9a-f]{4}$/i.test(value)
      ? value.replaceAll('.', '')
      : /^[0-9a-f]{12}$/i.test(value)
        ? value
        : null;
  if (!digits) return fail('invalid_mac', `not a MAC-48 address: ${quote(value)}`);
  return ok(digits.toLowerCase().replace(/(..)(?!$)/g, '$1:'));
}

/**
 * A cryptocurrency wallet address: Base58 / Bech32 / hex, kept as sent (Base58
 * is case-sensitive), except `0x…` Ethereum-style addresses, whose hex is
 * lower-cased (EIP-55 mixed case is a checksum, not another address).
 */
export function canonicalWallet(value: string): Canonical {
  if (/^0x[0-9a-f]{40}$/i.test(value)) return ok(value.toLowerCase());
  if (/^[A-Za-z0-9]{25,128}$/.test(value)) return ok(value);
  return fail('invalid_wallet', `not a cryptocurrency wallet address: ${quote(value)}`);
}

/**
 * TLS/SSH fingerprints by kind: JA3 (client), JA3S (server), HASSH and
 * HASSH-server are MD5 digests (32 hex digits); JARM is 62 hex digits (30 of
 * cipher/version codes and a 32-digit truncated SHA-256 of the extensions).
 */
export const FINGERPRINT_LENGTH = { ja3: 32, ja3s: 32, jarm: 62, hassh: 32, 'hassh-server': 32 } as const;
export type FingerprintKind = keyof typeof FINGERPRINT_LENGTH;

/** A fingerprint in lower-case hex, exactly its kind's length. */
export function canonicalFingerprint(kind: FingerprintKind, value: string): Canonical {
  if (value.length !== FINGERPRINT_LENGTH[kind] || !isHex(value))
    return fail(
      'invalid_hash',
      `not a ${kind.toUpperCase()} fingerprint (${FINGERPRINT_LENGTH[kind]} hex digits): ${quote(value)} has ${value.length} characters`,
    );
  return ok(value.toLowerCase());
}

/** What people put between a phone number's digits: spaces, dashes, parentheses, dots, slashes. */
const PHONE_SEPARATORS = /[\s\-()./]/g;

/**
 * A phone number as E.164 writes it: `+` and 7 to 15 digits, separators
 * dropped (`+1 (555) 010-0199` → `+15550100199`); the `00` international
 * prefix is a `+`. A number written without its country code cannot be made
 * E.164 (nothing says which country): it is kept as its digits, without `+`,
 * so its spellings are still one indicator.
 */
export function canonicalPhone(value: string): Canonical {
  const compact = value.replace(PHONE_SEPARATORS, '');
  const international = compact.startsWith('+') || compact.startsWith('00');
  const digits = compact.startsWith('+')
    ? compact.slice(1)
    : compact.startsWith('00')
      ? compact.slice(2)
      : compact;
  if (!/^\d{7,15}$/.test(digits))
    return fail('invalid_phone', `not a phone number (7 to 15 digits, E.164): ${quote(value)}`);
  return ok(international ? `+${digits}` : digits);
}

/** Free text that is itself the observable (mutex name, user agent, e-mail subject, pattern): as sent. */
export const canonicalText = (value: string): Canonical => ok(value);
