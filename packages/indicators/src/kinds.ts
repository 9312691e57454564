/**
 * The kind registry: everything Dragnet knows about an observable kind in one
 * entry — how to canonicalise it, which STIX Cyber-observable it is (and so
 * its deterministic id), where it lands in ECS, and what partners call it.
 *
 * Adding a kind (JA3, ASN, CVE, mutex…):
 *  1. add its name to `INDICATOR_KINDS` in model.ts;
 *  2. add a canonicaliser to canonical-forms.ts (pure, refanged input, a
 *     reject reason on failure — add a reason code to model.ts if none fits);
 *  3. add its entry here: STIX type and ID-contributing JSON (STIX 2.1 §6
 *     lists them per SCO: `{"number":…}` for autonomous-system, `{"name":…}`
 *     for mutex), ECS `threat.indicator.type` and field, type-name aliases, and
 *     the STIX pattern property that carries it;
 *  4. add it to `detectKind` only if its shape cannot be confused with others;
 *  5. map it in the merge/indexer document builder (packages/merge) and add
 *     canonical-form and id tests.
 * TypeScript's `Record<IndicatorKind, …>` makes step 3 impossible to forget.
 */
import {
  type Canonical,
  canonicalCidr,
  canonicalDomain,
  canonicalEmail,
  canonicalHash,
  canonicalIpv4,
  canonicalIpv6,
  canonicalUrl,
  type HashKind,
} from './canonical-forms.js';
import type { IndicatorKind } from './model.js';

/** STIX 2.1 Cyber-observable types Dragnet emits (also the ECS `threat.indicator.type` values). */
export type StixScoType = 'ipv4-addr' | 'ipv6-addr' | 'domain-name' | 'url' | 'email-addr' | 'file';

export interface KindSpec {
  readonly kind: IndicatorKind;
  readonly description: string;
  /** Canonical form of a refanged, trimmed value, or why it is not one. */
  readonly canonicalize: (value: string) => Canonical;
  /** STIX SCO type of a canonical value (a CIDR is an ipv4-addr or ipv6-addr by its address family). */
  readonly stixType: (value: string) => StixScoType;
  /**
   * The SCO's ID-contributing properties as RFC 8785 JSON around the JCS
   * string of the value: `{"value":` + "…" + `}`. Every kind so far has one
   * string property; a kind with several would need a function here.
   */
  readonly idJson: { readonly head: string; readonly tail: string };
  /** ECS `threat.indicator.type` of a canonical value. */
  readonly ecsType: (value: string) => StixScoType;
  /** The ECS (or `dragnet.*`) field the canonical value is indexed in. */
  readonly ecsField: string;
  /** Type names partners use for it (Dragnet, MISP, STIX, blocklist headers), lower case. */
  readonly aliases: readonly string[];
  /** The STIX object type and property path (`hashes.SHA-256` style, unquoted) that carries it in patterns and SCOs. */
  readonly stixProperty: { readonly objectType: StixScoType | readonly StixScoType[]; readonly path: string };
}

const valueJson = { head: '{"value":', tail: '}' } as const;
const ipFamily = (value: string): StixScoType => (value.includes(':') ? 'ipv6-addr' : 'ipv4-addr');

/** The STIX 2.1 hash-algorithm-ov names used as keys of `file.hashes`. */
export const STIX_HASH_NAME: Record<HashKind, string> = {
  md5: 'MD5',
  sha1: 'SHA-1',
  sha256: 'SHA-256',
  sha512: 'SHA-512',
};

function hashKind(kind: HashKind, bits: number): KindSpec {
  const name = STIX_HASH_NAME[kind];
  return {
    kind,
    description: `${name} file hash (${bits} bits), lower-case hex`,
    canonicalize: (value) => canonicalHash(kind, value),
    stixType: () => 'file',
    idJson: { head: `{"hashes":{"${name}":`, tail: '}}' },
    ecsType: () => 'file',
    ecsField: `threat.indicator.file.hash.${kind}`,
    aliases: [kind, name.toLowerCase(), `file:hashes.${name.toLowerCase()}`],
    stixProperty: { objectType: 'file', path: `hashes.${name}` },
  };
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
    aliases: ['email', 'email-src', 'email-dst', 'email-addr', 'e-mail', 'email-reply-to'],
    stixProperty: { objectType: 'email-addr', path: 'value' },
  },
  md5: hashKind('md5', 128) as KindSpec & { kind: 'md5' },
  sha1: hashKind('sha1', 160) as KindSpec & { kind: 'sha1' },
  sha256: hashKind('sha256', 256) as KindSpec & { kind: 'sha256' },
  sha512: hashKind('sha512', 512) as KindSpec & { kind: 'sha512' },
};

/** Partner type names (any case) → kind. Unknown names are `unsupported_type` rejects. */
export const KIND_BY_TYPE_NAME: ReadonlyMap<string, IndicatorKind> = new Map(
  Object.values(KINDS).flatMap((spec) => spec.aliases.map((alias) => [alias, spec.kind] as const)),
);

export function kindOfTypeName(name: string): IndicatorKind | null {
  return KIND_BY_TYPE_NAME.get(name) ?? KIND_BY_TYPE_NAME.get(name.trim().toLowerCase()) ?? null;
}

/** Hash algorithm names as STIX producers spell them (`SHA-256`, `SHA256`, `sha256`) → kind. */
const HASH_KIND_BY_NAME = new Map<string, HashKind>(
  (Object.keys(STIX_HASH_NAME) as HashKind[]).flatMap((kind) => [
    [STIX_HASH_NAME[kind].toLowerCase(), kind],
    [kind, kind],
  ]),
);

export function hashKindOfStixName(name: string): HashKind | null {
  return HASH_KIND_BY_NAME.get(name.toLowerCase()) ?? null;
}

const KINDS_BY_STIX_PROPERTY = new Map<string, IndicatorKind[]>();
for (const spec of Object.values(KINDS)) {
  const { objectType, path } = spec.stixProperty;
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
  if (objectType === 'file' && path.length === 2 && path[0] === 'hashes') return hashKindOfStixName(path[1]!);
  const kinds = KINDS_BY_STIX_PROPERTY.get(`${objectType}:${path.join('.').toLowerCase()}`);
  if (!kinds) return null;
  if (kinds.length === 1) return kinds[0]!;
  const wantsCidr = value.includes('/');
  return kinds.find((kind) => (kind === 'cidr') === wantsCidr) ?? null;
}
