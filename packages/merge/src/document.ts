import { type IndicatorKind, KINDS, type Tlp } from '@dragnet/indicators';
import { versionsKey } from './merge-enrichment.js';
import { type MergeState, mostRestrictiveTlp, type SourceState, type StatedAt } from './state.js';

export interface Scoring {
  score: number;
  baseScore: number;
  expired: boolean;
  expiresAt: number | null;
}

export interface DocumentOptions {
  /** `event.ingested`. */
  now: number;
  scoring: Scoring;
}

export type IndicatorDocument = Record<string, unknown> & {
  dragnet: { id: string; revision: number; tlp: Tlp; [field: string]: unknown };
};

const iso = (epochMs: number | null) => (epochMs === null ? null : new Date(epochMs).toISOString());
const parseTime = (value: unknown): number | null => (typeof value === 'string' ? Date.parse(value) : null);

/** ECS `threat.indicator.confidence` band for a 0–100 score. */
export function confidenceBand(score: number | null): 'Not Specified' | 'None' | 'Low' | 'Medium' | 'High' {
  if (score === null) return 'Not Specified';
  if (score <= 0) return 'None';
  if (score < 40) return 'Low';
  if (score < 70) return 'Medium';
  return 'High';
}

function observableFields(
  kind: IndicatorKind,
  value: string,
): {
  indicator: Record<string, unknown>;
  related: Record<string, string[]>;
  network?: string;
  ecsType?: string;
} {
  switch (kind) {
    case 'ipv4':
    case 'ipv6':
      return { indicator: { ip: value }, related: { ip: [value] } };
    case 'cidr':
      // An `ip` field cannot hold a network; `dragnet.network` (ip_range) can, and matches IP lookups.
      return {
        indicator: {},
        related: {},
        network: value,
        ecsType: value.includes(':') ? 'ipv6-addr' : 'ipv4-addr',
      };
    case 'domain':
      return { indicator: { url: { domain: value } }, related: { hosts: [value] } };
    case 'url': {
      const host = new URL(value).hostname.replace(/^\[|\]$/g, '');
      return {
        indicator: { url: { full: value, original: value, domain: host } },
        related: { hosts: [host] },
      };
    }
    case 'email':
      return {
        indicator: { email: { address: value } },
        related: { hosts: [value.slice(value.lastIndexOf('@') + 1)] },
      };
    case 'md5':
    case 'sha1':
    case 'sha256':
    case 'sha512':
      return { indicator: { file: { hash: { [kind]: value } } }, related: { hash: [value] } };
    default:
      throw new Error(`no ECS placement for indicator kind ${String(kind)}`);
  }
}

const sortedUnion = (lists: string[][]) => [...new Set(lists.flat())].sort();

function sourceToDocument(source: SourceState) {
  return {
    provider: source.provider,
    feed: source.feeds,
    first_seen: iso(source.firstSeen),
    last_seen: iso(source.lastSeen),
    confidence: source.confidence,
    tlp: source.tlp,
    reference: source.reference,
    description: source.description,
    valid_until: iso(source.validUntil),
    tags: source.tags,
    threat_names: source.threatNames,
    record_ids: source.recordIds,
    // Not indexed (dynamic: false); kept in _source so merge state is recoverable exactly.
    stated_at: source.statedAt,
  };
}

function asRecord(value: unknown): Record<string, unknown> {
  return value !== null && typeof value === 'object' && !Array.isArray(value)
    ? (value as Record<string, unknown>)
    : {};
}

/**
 * Projects merge state onto the ECS document Kibana's threat-intel features
 * understand. Everything needed to rebuild the state is in `dragnet.*`, so
 * Redis can be rebuilt from the index (`documentToState`).
 */
export function stateToDocument(state: MergeState, options: DocumentOptions): IndicatorDocument {
  const { sources } = state;
  const firstSeen = Math.min(...sources.map((source) => source.firstSeen));
  const lastSeen = Math.max(...sources.map((source) => source.lastSeen));
  const tlp = mostRestrictiveTlp(sources.map((source) => source.tlp));
  const observable = observableFields(state.kind, state.value);
  const enrichment = state.enrichment?.result ?? {};
  const extras = asRecord(enrichment.dragnet);
  const { warninglists, ...enrichmentExtras } = extras;
  const warninglistHits = Array.isArray(warninglists) ? warninglists : [];
  const suppressed = warninglistHits.some((hit) => asRecord(hit).action === 'suppress');
  const validUntils = sources.map((source) => source.validUntil);
  const validUntil = validUntils.includes(null) ? null : Math.max(...(validUntils as number[]));
  const latestSource = [...sources].sort(
    (a, b) => b.lastSeen - a.lastSeen || (a.provider < b.provider ? -1 : 1),
  )[0];
  const enrichedUrl = asRecord(enrichment.url);
  const observableUrl = asRecord((observable.indicator as Record<string, unknown>).url);
  const url =
    Object.keys(enrichedUrl).length + Object.keys(observableUrl).length > 0
      ? { ...enrichedUrl, ...observableUrl }
      : undefined;
  const indicator: Record<string, unknown> = {
    ...observable.indicator,
    type: KINDS[state.kind].ecsType(state.value),
    name: state.value,
    first_seen: iso(firstSeen),
    last_seen: iso(lastSeen),
    modified_at: iso(lastSeen),
    confidence: confidenceBand(options.scoring.score),
    marking: { tlp: tlp.toUpperCase() },
    provider: sources.map((source) => source.provider),
    sightings: sources.length,
    description: latestSource?.description ?? undefined,
    reference: latestSource?.reference ?? undefined,
    as: enrichment.as,
    geo: enrichment.geo,
    url,
  };
  return {
    '@timestamp': iso(lastSeen),
    event: {
      kind: 'enrichment',
      category: ['threat'],
      type: ['indicator'],
      module: 'ti_dragnet',
      dataset: 'ti_dragnet.indicator',
      ingested: iso(options.now),
    },
    threat: {
      feed: { name: sortedUnion(sources.map((source) => source.feeds)) },
      indicator: dropUndefined(indicator),
    },
    related: observable.related,
    tags: sortedUnion(sources.map((source) => source.tags)),
    dragnet: {
      id: state.id,
      kind: state.kind,
      value: state.value,
      network: observable.network,
      revision: state.revision,
      score: options.scoring.score,
      base_score: options.scoring.baseScore,
      expired: options.scoring.expired,
      expires_at: iso(options.scoring.expiresAt),
      suppressed,
      active: !options.scoring.expired && !suppressed,
      tlp,
      threat_names: sortedUnion(sources.map((source) => source.threatNames)),
      valid_until: iso(validUntil),
      provider_count: sources.length,
      sources: sources.map(sourceToDocument),
      warninglists: warninglistHits,
      enriched: state.enrichment !== null,
      enrichment: state.enrichment
        ? {
            ...enrichmentExtras,
            providers: state.enrichment.versions,
            versions: versionsKey(state.enrichment.versions),
          }
        : undefined,
      enrichment_result: state.enrichment?.result,
    },
  };
}

function dropUndefined(record: Record<string, unknown>): Record<string, unknown> {
  for (const key of Object.keys(record)) if (record[key] === undefined) delete record[key];
  return record;
}

/** Rebuilds merge state from an indexed document (after Redis lost it). */
export function documentToState(document: Record<string, unknown>): MergeState {
  const dragnet = asRecord(document.dragnet);
  const sources = (Array.isArray(dragnet.sources) ? dragnet.sources : []).map((raw): SourceState => {
    const source = asRecord(raw);
    const strings = (value: unknown) => (Array.isArray(value) ? value.map(String) : []);
    return {
      provider: String(source.provider),
      feeds: strings(source.feed),
      firstSeen: parseTime(source.first_seen) ?? 0,
      lastSeen: parseTime(source.last_seen) ?? 0,
      confidence: typeof source.confidence === 'number' ? source.confidence : null,
      tlp: source.tlp as Tlp,
      reference: typeof source.reference === 'string' ? source.reference : null,
      description: typeof source.description === 'string' ? source.description : null,
      validUntil: parseTime(source.valid_until),
      tags: strings(source.tags),
      threatNames: strings(source.threat_names),
      recordIds: strings(source.record_ids),
      statedAt: asRecord(source.stated_at) as unknown as StatedAt,
    };
  });
  const enrichment = asRecord(dragnet.enrichment);
  return {
    id: String(dragnet.id),
    kind: dragnet.kind as IndicatorKind,
    value: String(dragnet.value),
    revision: Number(dragnet.revision),
    sources,
    enrichment:
      dragnet.enrichment_result !== undefined
        ? {
            versions: asRecord(enrichment.providers) as Record<string, number>,
            result: asRecord(dragnet.enrichment_result),
          }
        : null,
    enrichmentRequested: null,
  };
}
