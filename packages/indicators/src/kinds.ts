/**
 * The kind registry: everything Dragnet knows about an observable kind in one
 * entry — how to canonicalise it, which STIX Cyber-observable it is (and so
 * its deterministic id), where it lands in ECS, and what partners call it.
 *
 * Adding a kind (a new fingerprint, an identity, a host artefact…):
 *  1. add its name to `INDICATOR_KINDS` in model.ts;
 *  2. add a canonicaliser to canonical-forms.ts (pure, refanged input, a
 *     reject reason on failure — add a reason code to model.ts if none fits);
 *  3. add its entry here: STIX type and ID-contributing JSON (STIX 2.1 §6
 *     lists them per SCO: `{"number":…}` for autonomous-system, `{"name":…}`
 *     for mutex), ECS `threat.indicator.type` and field, type-name aliases, and
 *     the STIX pattern property that carries it; then its id vector in
 *     test/checker/make-vectors.py (REGISTRY_VECTORS) and its decay model;
 *  4. add it to `detectKind` only if its shape cannot be confused with others;
 *  5. map its field in packages/document (mapping.ts; the projection places
 *     the value at `ecsField`), its MISP types in parsers/misp.ts, and add
 *     canonical-form and id tests (CONTRIBUTING.md, "New observable kind").
 * TypeScript's `Record<IndicatorKind, …>` makes step 3 impossible to forget.
 */
import {
  type Canonical,
  type CanonicalOptions,
  canonicalAsn,
  canonicalCidr,
  canonicalDirectory,
  canonicalDomain,
  canonicalEmail,
  canonicalFileName,
  canonicalFilePath,
  canonicalFingerprint,
  canonicalHash,
  canonicalIpv4,
  canonicalIpv6,
  canonicalMac,
  canonicalPhone,
  canonicalRegistryKey,
  canonicalSerialNumber,
  canonicalSsdeep,
  canonicalText,
  canonicalTlsh,
  canonicalUrl,
  canonicalWallet,
  type FingerprintKind,
  type HashKind,
  type HexHashKind,
  splitFilePath,
} from './canonical-forms.js';
import type { IndicatorKind } from './model.js';

/** STIX 2.1 object types Dragnet emits for its kinds (also their ECS `threat.indicator.type` values). */
export type StixScoType =
  | 'ipv4-addr'
  | 'ipv6-addr'
  | 'domain-name'
  | 'url'
  | 'email-addr'
  | 'file'
  | 'directory'
  | 'windows-registry-key'
  | 'mutex'
  | 'x509-certificate'
  | 'autonomous-system'
  | 'mac-addr'
  | 'network-traffic'
  | 'email-message'
  /** Not a STIX 2.1 SCO: a custom observable (`{"value"}`), as MISP's STIX export has it. */
  | 'cryptocurrency-wallet'
  /** Not STIX 2.1 SCOs either: custom observables for TLS/SSH fingerprints and phone numbers (see `customValueSpec`). */
  | 'x-ja3-fingerprint'
  | 'x-ja3s-fingerprint'
  | 'x-jarm-fingerprint'
  | 'x-hassh-fingerprint'
  | 'x-hassh-server-fingerprint'
  | 'x-phone-number'
  /** A pattern indicator is an SDO, not an SCO: its id is Dragnet's UUIDv5 of `{"pattern","pattern_type"}`. */
  | 'indicator';

/**
 * A kind's ID-contributing properties as RFC 8785 JSON: either one string
 * property around the JCS string of the value (`{"value":` + "…" + `}`, the
 * fast path), or a function for kinds whose id is built from more than the
 * value's text (a number, a reference to another object's id).
 */
export type IdJson =
  | { readonly head: string; readonly tail: string }
  | ((value: string, idOf: (kind: IndicatorKind, value: string) => string) => string);

export interface KindSpec {
  readonly kind: IndicatorKind;
  readonly description: string;
  /**
   * Taken as sent (trimmed), not refanged: free text and paths, where
   * refanging would rewrite what the partner reported (`\\.` in
   * `C:\\Users\\.ssh`, `[.]` in a STIX pattern).
   */
  readonly verbatim?: true;
  /** Pattern text: line breaks and tabs are allowed in it (other control characters are not). */
  readonly multiline?: true;
  /** Canonical form of a refanged (unless verbatim), trimmed value, or why it is not one. */
  readonly canonicalize: (value: string, options?: CanonicalOptions) => Canonical;
  /** STIX object type of a canonical value (a CIDR is an ipv4-addr or ipv6-addr by its address family). */
  readonly stixType: (value: string) => StixScoType;
  readonly idJson: IdJson;
  /** ECS `threat.indicator.type` of a canonical value. */
  readonly ecsType: (value: string) => StixScoType;
  /** The ECS (or `dragnet.*`, where ECS has none) field the canonical value is indexed in. */
  readonly ecsField: string;
  /** Type names partners use for it (Dragnet, MISP, STIX, blocklist headers), lower case. */
  readonly aliases: readonly string[];
  /** The STIX object type and property path (`hashes.SHA-256` style, unquoted) that carries it in patterns and SCOs. */
  readonly stixProperty: { readonly objectType: StixScoType | readonly StixScoType[]; readonly path: string };
}

const valueJson = { head: '{"value":', tail: '}' } as const;
const ipFamily = (value: string): StixScoType => (value.includes(':') ? 'ipv6-addr' : 'ipv4-addr');

/** The STIX 2.1 hash-algorithm-ov names used as keys of `file.hashes` (the four kinds hash lists carry). */
export const STIX_HASH_NAME: Record<HashKind, string> = {
  md5: 'MD5',
  sha1: 'SHA-1',
  sha256: 'SHA-256',
  sha512: 'SHA-512',
};

type HashSpecKind = HexHashKind | 'ssdeep' | 'tlsh';

/**
 * `hashes` key of each hash kind: hash-algorithm-ov names where STIX has one,
 * custom names (accepted by STIX 2.1 §2.7 as custom hash algorithms) for the rest.
 */
export const STIX_HASH_KEY: Record<HashSpecKind, string> = {
  ...STIX_HASH_NAME,
  sha224: 'SHA-224',
  sha384: 'SHA-384',
  'sha3-256': 'SHA3-256',
  'sha3-512': 'SHA3-512',
  ssdeep: 'SSDEEP',
  tlsh: 'TLSH',
  imphash: 'imphash',
  authentihash: 'authentihash',
  pehash: 'pehash',
  'x509-md5': 'MD5',
  'x509-sha1': 'SHA-1',
  'x509-sha256': 'SHA-256',
};

const hashEcsField = (kind: HashSpecKind): string => {
  if (['md5', 'sha1', 'sha256', 'sha384', 'sha512', 'ssdeep', 'tlsh'].includes(kind))
    return `threat.indicator.file.hash.${kind}`;
  if (kind === 'imphash' || kind === 'pehash') return `threat.indicator.file.pe.${kind}`;
  // ECS has no field for these (nor for certificate fingerprints): Dragnet's own namespace.
  if (kind.startsWith('x509-')) return `dragnet.x509.hash.${kind.slice(5)}`;
  return `dragnet.file.hash.${kind.replace('-', '_')}`;
};

function hashSpec<K extends HashSpecKind>(kind: K, description: string, extraAliases: string[] = []) {
  const key = STIX_HASH_KEY[kind];
  const objectType: StixScoType = kind.startsWith('x509-') ? 'x509-certificate' : 'file';
  const canonicalize =
    kind === 'ssdeep'
      ? canonicalSsdeep
      : kind === 'tlsh'
        ? canonicalTlsh
        : (value: string) => canonicalHash(kind as HexHashKind, value);
  const fileAliases =
    objectType === 'file' ? [kind, key.toLowerCase(), `file:hashes.${key.toLowerCase()}`] : [];
  return {
    kind,
    description,
    canonicalize,
    stixType: () => objectType,
    idJson: { head: `{"hashes":{"${key}":`, tail: '}}' },
    ecsType: () => objectType,
    ecsField: hashEcsField(kind),
    aliases: [...new Set([kind, ...fileAliases, ...extraAliases])],
    stixProperty: { objectType, path: `hashes.${key}` },
  } satisfies KindSpec & { kind: K };
}

/** A kind whose id is one string property of its STIX object (`{"name":…}`, `{"path":…}`). */
function propertySpec<K extends IndicatorKind>(
  kind: K,
  stixType: StixScoType,
  property: string,
  spec: Pick<KindSpec, 'description' | 'canonicalize' | 'ecsField' | 'aliases' | 'verbatim'>,
) {
  return {
    kind,
    ...spec,
    stixType: () => stixType,
    idJson: { head: `{"${property}":`, tail: '}' },
    ecsType: () => stixType,
    stixProperty: { objectType: stixType, path: property },
  } satisfies KindSpec & { kind: K };
}

/**
 * A kind STIX 2.1 has no SCO for (TLS/SSH fingerprints, phone numbers): a
 * custom observable `x-…` with one `value` property, as the crypto-wallet's
 * `cryptocurrency-wallet` is. Chosen over a pattern-only indicator because
 * the export then still carries an observable for the indicator to be
 * `based-on`, and a partner's `[x-ja3-fingerprint:value = '…']` pattern is
 * read back as the same kind (the round trip); chosen over a custom property
 * of `network-traffic` because such an SCO needs endpoints and protocols the
 * fingerprint alone does not tell (see the user agent). The `x-` prefix keeps
 * the name clear of types OASIS may define; stix2-validator accepts the
 * object (warning 401 only: a STIX 2.1 extension-definition is preferred,
 * which no consumer reads for these yet). The id is the STIX 2.1 §2.9 UUIDv5
 * of `{"value":…}`, as for any SCO.
 */
function customValueSpec<K extends IndicatorKind>(
  kind: K,
  stixType: StixScoType,
  spec: Pick<KindSpec, 'description' | 'canonicalize' | 'ecsField' | 'aliases'>,
) {
  return propertySpec(kind, stixType, 'value', spec);
}

function fingerprintSpec<K extends FingerprintKind>(
  kind: K,
  stixType: StixScoType,
  spec: Pick<KindSpec, 'description' | 'ecsField' | 'aliases'>,
) {
  return customValueSpec(kind, stixType, {
    ...spec,
    canonicalize: (value: string) => canonicalFingerprint(kind, value),
  });
}

/** A pattern indicator: the pattern text is the value, its language part of the id. */
function patternSpec<K extends IndicatorKind>(kind: K, patternType: string, aliases: string[]) {
  return {
    kind,
    verbatim: true,
    multiline: true,
    description: `${patternType} pattern indicator, text as sent`,
    canonicalize: canonicalText,
    stixType: () => 'indicator',
    idJson: { head: '{"pattern":', tail: `,"pattern_type":"${patternType}"}` },
    ecsType: () => 'indicator',
    ecsField: 'dragnet.pattern',
    aliases,
    stixProperty: { objectType: 'indicator', path: 'pattern' },
  } satisfies KindSpec & { kind: K };
}

export const KINDS: { readonly [K in IndicatorKind]: KindSpec & { kind: K } } = {
  ipv4: {
    kind: 'ipv4',
    description: 'IPv4 address, strict dotted decimal',
    canonicalize: canonicalIpv4,
    stixType: () => 'ipv4-addr',
    idJson: valueJson,
    ecsType: () => 'ipv4-addr',
    ecsField: 'threat.indicator.ip',
    aliases: ['ipv4', 'ip', 'ip-src', 'ip-dst', 'ipv4-addr', 'ip4', 'ip_address'],
    stixProperty: { objectType: 'ipv4-addr', path: 'value' },
  },
  ipv6: {
    kind: 'ipv6',
    description: 'IPv6 address, RFC 5952 text form',
    canonicalize: canonicalIpv6,
    stixType: () => 'ipv6-addr',
    idJson: valueJson,
    ecsType: () => 'ipv6-addr',
    ecsField: 'threat.indicator.ip',
    aliases: ['ipv6', 'ipv6-addr', 'ip6'],
    stixProperty: { objectType: 'ipv6-addr', path: 'value' },
  },
  cidr: {
    kind: 'cidr',
    description: 'IPv4 or IPv6 network, reduced to its network address',
    canonicalize: canonicalCidr,
    stixType: ipFamily,
    idJson: valueJson,
    ecsType: ipFamily,
    // ECS has no range field under threat.indicator: the indexer keeps networks in an ip_range field.
    ecsField: 'dragnet.network',
    aliases: ['cidr', 'ip-range', 'netblock', 'network'],
    stixProperty: { objectType: ['ipv4-addr', 'ipv6-addr'], path: 'value' },
  },
  domain: {
    kind: 'domain',
    description: 'DNS name, lower-case ASCII (punycode), no trailing dot',
    canonicalize: canonicalDomain,
    stixType: () => 'domain-name',
    idJson: valueJson,
    ecsType: () => 'domain-name',
    // What Elastic's threat-intel integrations use for domain-name indicators.
    ecsField: 'threat.indicator.url.domain',
    aliases: ['domain', 'hostname', 'domain-name', 'fqdn', 'host'],
    stixProperty: { objectType: 'domain-name', path: 'value' },
  },
  url: {
    kind: 'url',
    description: 'http(s)/ftp URL, WHATWG-serialised, default port and fragment dropped',
    canonicalize: canonicalUrl,
    stixType: () => 'url',
    idJson: valueJson,
    ecsType: () => 'url',
    ecsField: 'threat.indicator.url.full',
    aliases: ['url', 'link', 'uri'],
    stixProperty: { objectType: 'url', path: 'value' },
  },
  email: {
    kind: 'email',
    description: 'e-mail address, local part as sent, domain canonical',
    canonicalize: canonicalEmail,
    stixType: () => 'email-addr',
    idJson: valueJson,
    ecsType: () => 'email-addr',
    ecsField: 'threat.indicator.email.address',
    aliases: ['email', 'email-src', 'email-dst', 'email-addr', 'e-mail', 'email-reply-to', 'email-sender'],
    stixProperty: { objectType: 'email-addr', path: 'value' },
  },
  md5: hashSpec('md5', 'MD5 file hash (128 bits), lower-case hex'),
  sha1: hashSpec('sha1', 'SHA-1 file hash (160 bits), lower-case hex'),
  sha256: hashSpec('sha256', 'SHA-256 file hash (256 bits), lower-case hex'),
  sha512: hashSpec('sha512', 'SHA-512 file hash (512 bits), lower-case hex'),
  sha224: hashSpec('sha224', 'SHA-224 file hash (224 bits), lower-case hex'),
  sha384: hashSpec('sha384', 'SHA-384 file hash (384 bits), lower-case hex'),
  'sha3-256': hashSpec('sha3-256', 'SHA3-256 file hash, lower-case hex', ['sha3256']),
  'sha3-512': hashSpec('sha3-512', 'SHA3-512 file hash, lower-case hex', ['sha3512']),
  ssdeep: hashSpec('ssdeep', 'ssdeep fuzzy hash (blocksize:hash:hash), as sent'),
  tlsh: hashSpec('tlsh', 'TLSH fuzzy hash, upper-case hex'),
  imphash: hashSpec('imphash', 'PE import hash (MD5 of the import table), lower-case hex'),
  authentihash: hashSpec('authentihash', 'PE Authenticode hash (SHA-256), lower-case hex'),
  pehash: hashSpec('pehash', 'PE structural hash (SHA-1 based), lower-case hex'),
  'file-name': propertySpec('file-name', 'file', 'name', {
    description: 'file name without directory, as sent',
    canonicalize: canonicalFileName,
    ecsField: 'threat.indicator.file.name',
    aliases: ['file-name', 'filename', 'file:name', 'file_name'],
  }),
  'file-path': {
    kind: 'file-path',
    verbatim: true,
    description: 'file with its directory, as sent',
    canonicalize: canonicalFilePath,
    stixType: () => 'file',
    // STIX 2.1 §6.7: a file's id comes from its name and its parent directory's (deterministic) id.
    idJson: (value, idOf) => {
      const { directory, name } = splitFilePath(value)!;
      return `{"name":${JSON.stringify(name)},"parent_directory_ref":"${idOf('directory', directory)}"}`;
    },
    ecsType: () => 'file',
    ecsField: 'threat.indicator.file.path',
    aliases: ['file-path', 'filepath', 'file_path', 'path'],
    stixProperty: { objectType: 'file', path: 'x_path' },
  },
  directory: propertySpec('directory', 'directory', 'path', {
    verbatim: true,
    description: 'directory path, as sent, no trailing separator',
    canonicalize: canonicalDirectory,
    ecsField: 'threat.indicator.file.directory',
    aliases: ['directory', 'directory:path', 'dir'],
  }),
  'registry-key': propertySpec('registry-key', 'windows-registry-key', 'key', {
    verbatim: true,
    description: 'Windows registry key, full hive name, case preserved',
    canonicalize: canonicalRegistryKey,
    ecsField: 'threat.indicator.registry.path',
    aliases: ['registry-key', 'regkey', 'windows-registry-key', 'windows-registry-key:key', 'registry'],
  }),
  mutex: propertySpec('mutex', 'mutex', 'name', {
    verbatim: true,
    description: 'mutex name, as sent',
    canonicalize: canonicalText,
    ecsField: 'dragnet.mutex',
    aliases: ['mutex', 'mutex:name', 'mutant'],
  }),
  'x509-md5': hashSpec('x509-md5', 'X.509 certificate MD5 fingerprint, lower-case hex', [
    'x509-fingerprint-md5',
  ]),
  'x509-sha1': hashSpec('x509-sha1', 'X.509 certificate SHA-1 fingerprint, lower-case hex', [
    'x509-fingerprint-sha1',
  ]),
  'x509-sha256': hashSpec('x509-sha256', 'X.509 certificate SHA-256 fingerprint, lower-case hex', [
    'x509-fingerprint-sha256',
  ]),
  'x509-serial': propertySpec('x509-serial', 'x509-certificate', 'serial_number', {
    description: 'X.509 serial number, colon-separated lower-case hex octets',
    canonicalize: canonicalSerialNumber,
    ecsField: 'threat.indicator.x509.serial_number',
    aliases: ['x509-serial', 'serial-number', 'x509-certificate:serial_number'],
  }),
  // Subject and issuer are not ID-contributing in STIX 2.1 (stix2 would give a random id): Dragnet's id is UUIDv5 of them.
  'x509-subject': propertySpec('x509-subject', 'x509-certificate', 'subject', {
    verbatim: true,
    description: 'X.509 subject distinguished name, as sent',
    canonicalize: canonicalText,
    ecsField: 'threat.indicator.x509.subject.distinguished_name',
    aliases: ['x509-subject', 'x509-certificate:subject'],
  }),
  'x509-issuer': propertySpec('x509-issuer', 'x509-certificate', 'issuer', {
    verbatim: true,
    description: 'X.509 issuer distinguished name, as sent',
    canonicalize: canonicalText,
    ecsField: 'threat.indicator.x509.issuer.distinguished_name',
    aliases: ['x509-issuer', 'x509-certificate:issuer'],
  }),
  asn: {
    kind: 'asn',
    description: 'autonomous system number, decimal without the AS prefix',
    canonicalize: canonicalAsn,
    stixType: () => 'autonomous-system',
    // The one numeric id property: `{"number":13335}`, no quotes.
    idJson: (value) => `{"number":${value}}`,
    ecsType: () => 'autonomous-system',
    ecsField: 'threat.indicator.as.number',
    aliases: ['asn', 'as', 'autonomous-system', 'autonomous-system:number'],
    stixProperty: { objectType: 'autonomous-system', path: 'number' },
  },
  mac: propertySpec('mac', 'mac-addr', 'value', {
    description: 'MAC-48 address, lower-case colon-separated',
    canonicalize: canonicalMac,
    ecsField: 'dragnet.mac',
    aliases: ['mac', 'mac-address', 'mac-addr', 'mac-eui-48'],
  }),
  'user-agent': {
    kind: 'user-agent',
    verbatim: true,
    description: 'HTTP User-Agent header, as sent',
    canonicalize: canonicalText,
    stixType: () => 'network-traffic',
    idJson: { head: '{"extensions":{"http-request-ext":{"request_header":{"User-Agent":', tail: '}}}}' },
    ecsType: () => 'network-traffic',
    ecsField: 'dragnet.user_agent',
    aliases: ['user-agent', 'useragent', 'user_agent', 'http-user-agent'],
    stixProperty: {
      objectType: 'network-traffic',
      path: 'extensions.http-request-ext.request_header.User-Agent',
    },
  },
  'email-subject': propertySpec('email-subject', 'email-message', 'subject', {
    verbatim: true,
    description: 'e-mail subject line, as sent',
    canonicalize: canonicalText,
    ecsField: 'dragnet.email.subject',
    aliases: ['email-subject', 'email-message:subject', 'subject'],
  }),
  'crypto-wallet': propertySpec('crypto-wallet', 'cryptocurrency-wallet', 'value', {
    description: 'cryptocurrency wallet address, as sent (0x… hex lower-cased)',
    canonicalize: canonicalWallet,
    ecsField: 'dragnet.crypto_wallet',
    aliases: [
      'crypto-wallet',
      'btc',
      'xmr',
      'eth',
      'ltc',
      'dash',
      'bch',
      'zec',
      'doge',
      'cryptocurrency-wallet',
    ],
  }),
  phone: customValueSpec('phone', 'x-phone-number', {
    description:
      'phone number, E.164 (`+` and 7–15 digits, separators dropped); digits only without a country code',
    canonicalize: canonicalPhone,
    ecsField: 'dragnet.phone',
    aliases: ['phone', 'phone-number', 'whois-registrant-phone', 'x-phone-number', 'x-phone-number:value'],
  }),
  // ECS has `tls.client.ja3` and `tls.server.ja3s` (top-level, as on the events an indicator-match rule compares).
  ja3: fingerprintSpec('ja3', 'x-ja3-fingerprint', {
    description: 'JA3 TLS client fingerprint (MD5), lower-case hex',
    ecsField: 'tls.client.ja3',
    aliases: [
      'ja3',
      'ja3-fingerprint-md5',
      'ja3-fingerprint',
      'x-ja3-fingerprint',
      'x-ja3-fingerprint:value',
    ],
  }),
  ja3s: fingerprintSpec('ja3s', 'x-ja3s-fingerprint', {
    description: 'JA3S TLS server fingerprint (MD5), lower-case hex',
    ecsField: 'tls.server.ja3s',
    aliases: [
      'ja3s',
      'ja3s-fingerprint-md5',
      'ja3s-fingerprint',
      'x-ja3s-fingerprint',
      'x-ja3s-fingerprint:value',
    ],
  }),
  // ECS has no field for JARM nor HASSH: Dragnet's own namespace.
  jarm: fingerprintSpec('jarm', 'x-jarm-fingerprint', {
    description: 'JARM TLS server fingerprint (62 hex digits), lower-case hex',
    ecsField: 'dragnet.tls.jarm',
    aliases: ['jarm', 'jarm-fingerprint', 'x-jarm-fingerprint', 'x-jarm-fingerprint:value'],
  }),
  hassh: fingerprintSpec('hassh', 'x-hassh-fingerprint', {
    description: 'HASSH SSH client fingerprint (MD5), lower-case hex',
    ecsField: 'dragnet.ssh.hassh',
    aliases: ['hassh', 'hassh-md5', 'x-hassh-fingerprint', 'x-hassh-fingerprint:value'],
  }),
  'hassh-server': fingerprintSpec('hassh-server', 'x-hassh-server-fingerprint', {
    description: 'HASSH-server SSH server fingerprint (MD5), lower-case hex',
    ecsField: 'dragnet.ssh.hassh_server',
    aliases: [
      'hassh-server',
      'hasshserver-md5',
      'x-hassh-server-fingerprint',
      'x-hassh-server-fingerprint:value',
    ],
  }),
  'stix-pattern': patternSpec('stix-pattern', 'stix', ['stix-pattern', 'stix2-pattern']),
  yara: patternSpec('yara', 'yara', ['yara']),
  sigma: patternSpec('sigma', 'sigma', ['sigma']),
  snort: patternSpec('snort', 'snort', ['snort']),
  suricata: patternSpec('suricata', 'suricata', ['suricata']),
};

/** Partner type names (any case) → kind. Unknown names are `unsupported_type` rejects. */
export const KIND_BY_TYPE_NAME: ReadonlyMap<string, IndicatorKind> = new Map(
  Object.values(KINDS).flatMap((spec) => spec.aliases.map((alias) => [alias, spec.kind] as const)),
);

export function kindOfTypeName(name: string): IndicatorKind | null {
  return KIND_BY_TYPE_NAME.get(name) ?? KIND_BY_TYPE_NAME.get(name.trim().toLowerCase()) ?? null;
}

/** Hash algorithm names as STIX producers spell them (`SHA-256`, `SHA256`, `sha256`) → kind, per object type. */
const HASH_KIND_BY_NAME = new Map<string, IndicatorKind>(
  (Object.keys(STIX_HASH_KEY) as HashSpecKind[]).flatMap((kind) => {
    const object = kind.startsWith('x509-') ? 'x509-certificate' : 'file';
    const key = STIX_HASH_KEY[kind].toLowerCase();
    return [
      [`${object}:${key}`, kind],
      [`${object}:${key.replace('-', '')}`, kind],
    ] as const;
  }),
);

/** The kind of a `file.hashes` (or, given the object type, `x509-certificate.hashes`) key. */
export function hashKindOfStixName(name: string, objectType = 'file'): IndicatorKind | null {
  return HASH_KIND_BY_NAME.get(`${objectType}:${name.toLowerCase()}`) ?? null;
}

const KINDS_BY_STIX_PROPERTY = new Map<string, IndicatorKind[]>();
/** Other properties that carry a kind: the address an e-mail came from, a file's directory. */
const KIND_OF_REFERENCE_PATH: ReadonlyMap<string, IndicatorKind> = new Map([
  ['email-message:from_ref.value', 'email'],
  ['email-message:sender_ref.value', 'email'],
  ['file:parent_directory_ref.path', 'directory'],
]);
for (const spec of Object.values(KINDS)) {
  const { objectType, path } = spec.stixProperty;
  // A pattern indicator is an SDO: no comparison in a pattern can denote one.
  if (objectType === 'indicator') continue;
  for (const type of typeof objectType === 'string' ? [objectType] : objectType) {
    const key = `${type}:${path.toLowerCase()}`;
    KINDS_BY_STIX_PROPERTY.set(key, [...(KINDS_BY_STIX_PROPERTY.get(key) ?? []), spec.kind]);
  }
}

/**
 * The kind a STIX property denotes: `ipv4-addr` + [`value`] → ipv4 (cidr when
 * the value has a /prefix: STIX puts both in one property), `file` +
 * [`hashes`, `SHA256`] → sha256 (hash names as producers spell them). Null
 * when no kind of the registry is carried there.
 */
export function kindOfStixProperty(
  objectType: string,
  path: readonly string[],
  value: string,
): IndicatorKind | null {
  if (path.length === 2 && path[0] === 'hashes') return hashKindOfStixName(path[1]!, objectType);
  const key = `${objectType}:${path.join('.').toLowerCase()}`;
  const referenced = KIND_OF_REFERENCE_PATH.get(key);
  if (referenced) return referenced;
  const kinds = KINDS_BY_STIX_PROPERTY.get(key);
  if (!kinds) return null;
  if (kinds.length === 1) return kinds[0]!;
  const wantsCidr = value.includes('/');
  return kinds.find((kind) => (kind === 'cidr') === wantsCidr) ?? null;
}
