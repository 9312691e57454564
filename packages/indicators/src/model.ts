/**
 * Dragnet's canonical indicator model.
 *
 * An *observable* is what was seen (kind + canonical value); a *report* is one
 * partner saying something about it. Field names follow ECS `threat.indicator.*`
 * / `threat.feed.*` one-to-one (see `ECS_FIELD_OF_REPORT`), so the indexer maps
 * rather than translates.
 */

/**
 * Observable kinds Dragnet canonicalises. The set is open: adding a kind means
 * adding one entry to the kind registry (canonicaliser, STIX type, ECS type).
 */
export const INDICATOR_KINDS = [
  'ipv4',
  'ipv6',
  'cidr',
  'domain',
  'url',
  'email',
  'md5',
  'sha1',
  'sha256',
  'sha512',
  // Other file hashes: each its own kind and field, never folded into the four above.
  'sha224',
  'sha384',
  'sha3-256',
  'sha3-512',
  'ssdeep',
  'tlsh',
  'imphash',
  'authentihash',
  'pehash',
  // Host artefacts.
  'file-name',
  'file-path',
  'directory',
  'registry-key',
  'mutex',
  // X.509 certificates.
  'x509-md5',
  'x509-sha1',
  'x509-sha256',
  'x509-serial',
  'x509-subject',
  'x509-issuer',
  // Network and identity.
  'asn',
  'mac',
  'user-agent',
  'email-subject',
  'crypto-wallet',
  'phone',
  // TLS and SSH client/server fingerprints (MD5 of the handshake's parameters; JARM a 62-digit hybrid).
  'ja3',
  'ja3s',
  'jarm',
  'hassh',
  'hassh-server',
  // Indicators that are a pattern, not one observable (STIX patterns that do not reduce, other pattern languages).
  'stix-pattern',
  'yara',
  'sigma',
  'snort',
  'suricata',
] as const;
export type IndicatorKind = (typeof INDICATOR_KINDS)[number];

/** Traffic Light Protocol 2.0, least to most restrictive. */
export const TLP_LEVELS = ['clear', 'green', 'amber', 'amber+strict', 'red'] as const;
export type Tlp = (typeof TLP_LEVELS)[number];

export interface Observable {
  kind: IndicatorKind;
  /** Canonical value: refanged, validated and in the kind's canonical form. */
  value: string;
}

/** Where a report came from, so any document can be traced to a Kafka record. */
export interface Provenance {
  topic: string;
  partition: number;
  offset: string;
  /** The partner's own id for the record (STIX id, MISP attribute uuid, …), when it has one. */
  recordId: string | null;
}

/** One partner's statement about one observable: the record on the internal canonical topic. */
export interface IndicatorReport extends Observable {
  /** STIX 2.1 deterministic id of the observable, e.g. `ipv4-addr--…`; Kafka key, job id and ES `_id`. */
  id: string;
  /** Partner (source) id → `threat.indicator.provider`. */
  provider: string;
  /** Feed name → `threat.feed.name`. */
  feedName: string;
  /** Epoch milliseconds → `threat.indicator.first_seen`. */
  firstSeen: number;
  /** Epoch milliseconds → `threat.indicator.last_seen`. */
  lastSeen: number;
  /** 0–100, or null when the partner gave none → `threat.indicator.confidence` (as a band) and `dragnet.score` input. */
  confidence: number | null;
  /** → `threat.indicator.marking.tlp`; null means "use the partner's default". */
  tlp: Tlp | null;
  /** → `tags`. */
  tags: string[];
  /** Threat / malware family names → `threat.software.name` / `threat.group.name` style; kept as `dragnet.threat_names`. */
  threatNames: string[];
  /** → `threat.indicator.description`. */
  description: string | null;
  /** → `threat.indicator.reference`. */
  reference: string | null;
  /** Epoch milliseconds after which the partner no longer vouches for it → `dragnet.valid_until`. */
  validUntil: number | null;
  provenance: Provenance;
}

/** The ECS (or `dragnet.*`) field each report field lands in. */
export const ECS_FIELD_OF_REPORT = {
  provider: 'threat.indicator.provider',
  feedName: 'threat.feed.name',
  firstSeen: 'threat.indicator.first_seen',
  lastSeen: 'threat.indicator.last_seen',
  confidence: 'threat.indicator.confidence',
  tlp: 'threat.indicator.marking.tlp',
  tags: 'tags',
  threatNames: 'dragnet.threat_names',
  description: 'threat.indicator.description',
  reference: 'threat.indicator.reference',
  validUntil: 'dragnet.valid_until',
} as const satisfies Partial<Record<keyof IndicatorReport, string>>;

/** Why a value or record was rejected. Stable codes: operators filter dead letters by them. */
export const REJECT_REASONS = [
  'invalid_encoding',
  'invalid_json',
  'invalid_avro',
  'invalid_csv',
  'invalid_structure',
  'unsupported_type',
  'unsupported_pattern',
  'invalid_value',
  'invalid_ipv4',
  'invalid_ipv6',
  'invalid_cidr',
  'invalid_domain',
  'invalid_url',
  'invalid_email',
  'invalid_hash',
  'invalid_file_name',
  'invalid_path',
  'invalid_registry_key',
  'invalid_serial_number',
  'invalid_asn',
  'invalid_mac',
  'invalid_wallet',
  /** A phone number with fewer than 7 or more than 15 digits (E.164), or with characters a number is not written with. */
  'invalid_phone',
  'invalid_date',
  'invalid_confidence',
  'invalid_tlp',
  'empty_value',
  /** A record that carries context, not an observable (a MISP `link` to the vendor's report): used as context, not indexed. */
  'not_an_indicator',
  /** A message over MAX_MESSAGE_BYTES, or a STIX pattern over MAX_PATTERN_LENGTH (see limits.ts). */
  'too_large',
  /** JSON nested deeper than MAX_JSON_DEPTH, or a STIX pattern nested deeper than MAX_PATTERN_DEPTH. */
  'too_deep',
  /** An observable value longer than MAX_VALUE_LENGTH. */
  'value_too_long',
  /** A control character (C0, DEL, C1) in a value (record rejected) or in a tag, threat name or text field (dropped). */
  'control_character',
  /** Invalid UTF-8 in an Avro string, or a lone surrogate (a `\ud800` JSON escape) in a value. */
  'invalid_utf8',
  /** A free-text field over its limit: truncated (description) or dropped (tag, reference, …); the indicator is kept. */
  'field_too_long',
  /** More tags or threat names than a record may carry: the rest are dropped; the indicator is kept. */
  'too_many_items',
  /** A well-formed name whose suffix is not a registered public suffix (`setup.exe`), or an internal one the feed has not opted in to. */
  'not_a_domain',
  /** A network broader than the minimum prefix (`/0`, an IPv4 shorter than /8, an IPv6 shorter than /16): it would match everything. */
  'network_too_broad',
  /** A STIX pattern that is not valid STIX patterning (lower-case `and`, unbalanced brackets…), as opposed to valid but unsupported. */
  'invalid_pattern',
  /** Warning, records kept: the JSON message was not strict JSON (BOM, trailing commas, NaN) and was read leniently. */
  'lenient_json',
  /** Warning, record kept: a marking that is no TLP or PAP level Dragnet knows; kept as a tag, the record keeps its default TLP. */
  'unknown_marking',
  'es_rejected',
] as const;
export type RejectReason = (typeof REJECT_REASONS)[number];

export interface Reject {
  reason: RejectReason;
  /** Human-readable, names what was wrong. */
  message: string;
  /** The offending value as received (truncated to a sane length), when there is one. */
  value: string | null;
  /** Where in the message: `line 12`, `objects[3]`, `Attribute 5f1c…`, `record 0`. */
  location: string;
}

export interface ParseResult {
  indicators: IndicatorReport[];
  rejects: Reject[];
}
