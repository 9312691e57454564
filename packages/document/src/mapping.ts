/**
 * One field of an Elasticsearch mapping, as far as Dragnet uses it. Structural
 * (a subset of the client's `estypes.MappingProperty`), so this pure package
 * does not depend on the driver; packages/elasticsearch passes it on as is.
 */
export interface MappedField {
  type?: string;
  enabled?: boolean;
  ignore_above?: number;
  properties?: Record<string, MappedField>;
  fields?: Record<string, MappedField>;
}

export interface IndexMapping {
  dynamic: false;
  date_detection: boolean;
  properties: Record<string, MappedField>;
}

/**
 * The indicator index mapping: ECS `threat.*` field names and types, with
 * three documented substitutions because the minimal Elasticsearch
 * distribution lacks those types: ECS `wildcard` → `keyword`,
 * `match_only_text` → `text`, `constant_keyword` → `keyword`. The same mapping
 * works on a full cluster.
 */
const keyword = { type: 'keyword', ignore_above: 1024 } as const;
const wildcardAsKeyword = { type: 'keyword', ignore_above: 8191 } as const;
const date = { type: 'date' } as const;
const ip = { type: 'ip' } as const;
const long = { type: 'long' } as const;
const bool = { type: 'boolean' } as const;
const text = { type: 'text' } as const;

const textWithKeyword = {
  type: 'text',
  fields: { keyword: { type: 'keyword', ignore_above: 1024 } },
} as const;

const hashes = {
  properties: {
    md5: keyword,
    sha1: keyword,
    sha256: keyword,
    sha384: keyword,
    sha512: keyword,
    ssdeep: keyword,
    tlsh: keyword,
  },
};

const ecsUrl = {
  properties: {
    full: { ...wildcardAsKeyword, fields: { text } },
    original: { ...wildcardAsKeyword, fields: { text } },
    domain: keyword,
    registered_domain: keyword,
    top_level_domain: keyword,
    subdomain: keyword,
    scheme: keyword,
    port: long,
    path: wildcardAsKeyword,
    // ECS's limit: the classic maximum URL length.
    query: { type: 'keyword', ignore_above: 2083 } as const,
  },
};

export const INDICATOR_MAPPINGS: IndexMapping = {
  dynamic: false,
  date_detection: false,
  properties: {
    '@timestamp': date,
    tags: keyword,
    message: { type: 'text' },
    event: {
      properties: {
        kind: keyword,
        category: keyword,
        type: keyword,
        module: keyword,
        dataset: keyword,
        ingested: date,
      },
    },
    related: { properties: { ip, hash: keyword, hosts: keyword } },
    /** JA3/JA3S indicators, where ECS keeps them on events: an indicator-match rule compares like with like. */
    tls: {
      properties: { client: { properties: { ja3: keyword } }, server: { properties: { ja3s: keyword } } },
    },
    threat: {
      properties: {
        feed: {
          properties: { name: keyword, description: keyword, reference: keyword, dashboard_id: keyword },
        },
        indicator: {
          properties: {
            type: keyword,
            name: keyword,
            description: keyword,
            reference: keyword,
            provider: keyword,
            confidence: keyword,
            first_seen: date,
            last_seen: date,
            modified_at: date,
            sightings: long,
            scanner_stats: long,
            ip,
            port: long,
            marking: { properties: { tlp: keyword, tlp_version: keyword } },
            email: { properties: { address: keyword } },
            file: {
              properties: {
                hash: hashes,
                name: keyword,
                path: { ...keyword, fields: { text } },
                directory: keyword,
                pe: { properties: { imphash: keyword, pehash: keyword } },
              },
            },
            registry: { properties: { path: keyword } },
            x509: {
              properties: {
                serial_number: keyword,
                subject: { properties: { distinguished_name: keyword } },
                issuer: { properties: { distinguished_name: keyword } },
              },
            },
            url: ecsUrl,
            as: {
              properties: {
                number: long,
                organization: { properties: { name: { ...keyword, fields: { text } } } },
              },
            },
            geo: {
              properties: {
                country_iso_code: keyword,
                country_name: keyword,
                city_name: keyword,
                continent_name: keyword,
                region_name: keyword,
                location: { type: 'geo_point' },
              },
            },
          },
        },
      },
    },
    dragnet: {
      properties: {
        id: keyword,
        kind: keyword,
        value: wildcardAsKeyword,
        /** CIDR indicators: `ip` fields cannot hold a network, `ip_range` can, and an IP lookup matches it. */
        network: { type: 'ip_range' },
        revision: long,
        score: { type: 'float' },
        base_score: { type: 'float' },
        active: bool,
        expired: bool,
        expires_at: date,
        suppressed: bool,
        /** Enrichment results have been merged (false until the enricher answered). */
        enriched: bool,
        /** The most restrictive marking of anything the document holds (analysts are cleared for all). */
        tlp: keyword,
        /** The least restrictive marking the indicator was stated under: a reader cleared for it may know it exists. */
        tlp_floor: keyword,
        /** Per ceiling (`amber_strict` for amber+strict), the latest sighting a reader cleared up to it sees: answers sort by it. */
        last_seen_at: {
          properties: { clear: date, green: date, amber: date, amber_strict: date, red: date },
        },
        /** Per partial ceiling, the score of what a reader cleared up to it sees (answers only; not searched). */
        scoring_below: { type: 'object', enabled: false },
        threat_names: keyword,
        /** CVE ids (`CVE-2021-44228`, upper case) the indicator is stated to relate to; from `vulnerability:` tags. */
        vulnerabilities: keyword,
        valid_until: date,
        sources: {
          properties: {
            provider: keyword,
            feed: keyword,
            first_seen: date,
            last_seen: date,
            confidence: long,
            tlp: keyword,
            reference: keyword,
            description: textWithKeyword,
            tags: keyword,
            threat_names: keyword,
            valid_until: date,
            record_ids: keyword,
            /** What the partner said under each marking: kept in _source to rebuild state and project answers. */
            buckets: { type: 'object', enabled: false },
          },
        },
        provider_count: long,
        /** Kinds ECS has no field for (`ecsField` in packages/indicators kinds.ts). */
        file: {
          properties: {
            hash: {
              properties: { sha224: keyword, sha3_256: keyword, sha3_512: keyword, authentihash: keyword },
            },
          },
        },
        x509: { properties: { hash: { properties: { md5: keyword, sha1: keyword, sha256: keyword } } } },
        mutex: keyword,
        mac: keyword,
        user_agent: wildcardAsKeyword,
        email: { properties: { subject: { ...keyword, fields: { text } } } },
        crypto_wallet: keyword,
        phone: keyword,
        /** TLS and SSH fingerprints ECS has no field for (JA3 and JA3S are ECS `tls.*`, at the root). */
        tls: { properties: { jarm: keyword } },
        ssh: { properties: { hassh: keyword, hassh_server: keyword } },
        /** Pattern indicators (STIX, YARA, Sigma, Snort, Suricata): searchable by words; looked up by `value`. */
        pattern: text,
        warninglists: { properties: { name: keyword, action: keyword } },
        enrichment: {
          properties: {
            ip_class: keyword,
            registrable_domain: keyword,
            public_suffix: keyword,
            subdomain_depth: long,
            idn: bool,
            /** CIDR indicators: the non-public address classes the range overlaps. */
            ip_range_classes: keyword,
            /** URL indicators whose host is an IP literal. */
            host_is_ip: bool,
            /** E-mail indicators: the part after `@`. */
            email_domain: keyword,
            dns: { properties: { a: ip, aaaa: ip } },
            providers: { type: 'object', enabled: false },
            /** `name@version,…` of the providers behind the result: the sweep finds outdated ones by it. */
            versions: keyword,
          },
        },
      },
    },
  },
};

/**
 * ECS fields mapped so Kibana's threat-intel views and saved objects find them
 * typed as ECS says, which no Dragnet code writes (yet). `fields.test.ts`
 * fails when the projection starts writing one (then delete it here) and when
 * a mapped field is written by nobody and not listed here.
 */
export const ECS_ONLY_FIELDS: readonly string[] = [
  'message',
  'threat.feed.description',
  'threat.feed.reference',
  'threat.feed.dashboard_id',
  'threat.indicator.scanner_stats',
  'threat.indicator.port',
  'threat.indicator.marking.tlp_version',
  'threat.indicator.url.query',
  'threat.indicator.geo.country_name',
  'threat.indicator.geo.city_name',
  'threat.indicator.geo.continent_name',
  'threat.indicator.geo.region_name',
  'threat.indicator.geo.location',
];
