import { INDEX } from '@dragnet/contracts';
import type { estypes } from '@elastic/elasticsearch';

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
  properties: { md5: keyword, sha1: keyword, sha256: keyword, sha512: keyword },
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

export const INDICATOR_MAPPINGS: estypes.MappingTypeMapping = {
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
            file: { properties: { hash: hashes, name: keyword } },
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
        valid_until: date,
        description: textWithKeyword,
        sources: {
          properties: {
            provider: keyword,
            feed: keyword,
            first_seen: date,
            last_seen: date,
            confidence: long,
            tlp: keyword,
            reference: keyword,
            tags: keyword,
            threat_names: keyword,
            valid_until: date,
            record_ids: keyword,
            /** What the partner said under each marking: kept in _source to rebuild state and project answers. */
            buckets: { type: 'object', enabled: false },
          },
        },
        provider_count: long,
        warninglists: { properties: { name: keyword, action: keyword } },
        enrichment: {
          properties: {
            ip_class: keyword,
            registrable_domain: keyword,
            public_suffix: keyword,
            subdomain_depth: long,
            idn: bool,
            dns: { properties: { a: ip, aaaa: ip, resolved_at: date } },
            providers: { type: 'object', enabled: false },
            /** `name@version,…` of the providers behind the result: the sweep finds outdated ones by it. */
            versions: keyword,
          },
        },
      },
    },
  },
};

export const INDICATOR_SETTINGS: estypes.IndicesIndexSettings = {
  number_of_shards: 1,
  // A single local node cannot place replicas; a real cluster raises this after setup.
  number_of_replicas: 0,
  // refresh_interval deliberately unset: the default (1 s) then lets an index nobody searched for
  // 30 s skip refreshes ("search idle"), so bulk ingest builds fewer, larger segments and merges far
  // less; the first search refreshes and waits. Setting '1s' explicitly would turn that off.
};

export function indicatorIndexTemplate(): estypes.IndicesPutIndexTemplateRequest {
  return {
    name: INDEX.template,
    index_patterns: [INDEX.pattern],
    priority: INDEX.templatePriority,
    // Explicitly not a data stream: indicators are updated in place by id.
    template: { settings: INDICATOR_SETTINGS, mappings: INDICATOR_MAPPINGS },
    _meta: { description: 'Dragnet threat indicators (ECS threat.indicator.*)', managed_by: 'dragnet' },
  };
}
