import { type IndicatorKind, KINDS, TLP_LEVELS, type Tlp, vulnerabilitiesOfTags } from '@dragnet/indicators';
import { tlpFieldName } from './fields.js';
import { versionsKey } from './merge-enrichment.js';
import { joinBuckets } from './merge-report.js';
import {
  fullSourceView,
  partialCeilings,
  projectState,
  type SourceView,
  stateFloor,
  stateMarking,
} from './projection.js';
import { type MergeState, type SourceState, TLP_ORDER, type TlpBucket } from './state.js';

export interface Scoring {
  score: number;
  baseScore: number;
  expired: boolean;
  expiresAt: number | null;
}

export interface DocumentOptions {
  /** `event.ingested`. */
  now: number;
  /** Null: no score is shown (a projection for a reader without a score of its own, see `scoringBelow`). */
  scoring: Scoring | null;
  /**
   * The score as a reader cleared only up to each partial ceiling (see
   * `partialCeilings`) would compute it from what they see; answers for those
   * readers show it instead of `scoring`, which weighs content above them.
   */
  scoringBelow?: Partial<Record<Tlp, Scoring>>;
}

export type IndicatorDocument = Record<string, unknown> & {
  dragnet: { id: string; revision: number; tlp: Tlp; [field: string]: unknown };
};

/** 0000-01-01 and 9999-12-31: the widest range with four-digit years, which every ISO 8601 parser (Elasticsearch's too) reads. */
const EARLIEST_ISO_MS = -62_167_219_200_000;
const LATEST_ISO_MS = 253_402_300_799_999;

/**
 * An epoch as ISO 8601. Dates are range-checked where they enter (the
 * normaliser), but this projection also runs on states read back from Redis or
 * the index, and must never throw there (`RangeError: Invalid time value`
 * would stop the whole batch): an out-of-range time is clamped to the
 * representable range, a non-finite one is dropped.
 */
export function iso(epochMs: number | null): string | null {
  if (epochMs === null || !Number.isFinite(epochMs)) return null;
  return new Date(Math.min(LATEST_ISO_MS, Math.max(EARLIEST_ISO_MS, epochMs))).toISOString();
}
const parseTime = (value: unknown): number | null => {
  const time = typeof value === 'string' ? Date.parse(value) : Number.NaN;
  return Number.isNaN(time) ? null : time;
};

/** ECS `threat.indicator.confidence` band for a 0–100 score. */
export function confidenceBand(score: number | null): 'Not Specified' | 'None' | 'Low' | 'Medium' | 'High' {
  if (score === null) return 'Not Specified';
  if (score <= 0) return 'None';
  if (score < 40) return 'Low';
  if (score < 70) return 'Medium';
  return 'High';
}

interface ObservablePlacement {
  /** Under `threat.indicator`. */
  indicator: Record<string, unknown>;
  related: Record<string, string[]>;
  /** Under `dragnet`, for kinds ECS has no field for. */
  dragnet: Record<string, unknown>;
  /** At the document's root, for ECS fields outside `threat.*` (`tls.client.ja3`); absent for most kinds. */
  root?: Record<string, unknown>;
}

/**
 * Where the observable itself goes. Most kinds need nothing here: the value
 * is placed at the kind's `ecsField` (packages/indicators kinds.ts), which
 * the mapping must hold (`fields.test.ts` checks both). The cases below add
 * what a path alone cannot say: related hosts and addresses, a URL's parts.
 */
function observableFields(kind: IndicatorKind, value: string): ObservablePlacement {
  switch (kind) {
    case 'ipv4':
    case 'ipv6':
      return { indicator: { ip: value }, related: { ip: [value] }, dragnet: {} };
    case 'domain':
      return { indicator: { url: { domain: value } }, related: { hosts: [value] }, dragnet: {} };
    case 'url': {
      const host = new URL(value).hostname.replace(/^\[|\]$/g, '');
      return {
        indicator: { url: { full: value, original: value, domain: host } },
        related: { hosts: [host] },
        dragnet: {},
      };
    }
    case 'email':
      return {
        indicator: { email: { address: value } },
        related: { hosts: [value.slice(value.lastIndexOf('@') + 1)] },
        dragnet: {},
      };
    default:
      // cidr: an `ip` field cannot hold a network; `dragnet.network` (ip_range) can, and matches IP lookups.
      return placedAtEcsField(KINDS[kind].ecsField, value);
  }
}

const INDICATOR_PREFIX = 'threat.indicator.';
const DRAGNET_PREFIX = 'dragnet.';
/** ECS field sets outside `threat.*` a kind may be indexed in (JA3/JA3S: `tls.client.ja3`, `tls.server.ja3s`). */
const ROOT_PREFIX = 'tls.';

/** The value nested at a `threat.indicator.*`, `dragnet.*` or `tls.*` path (the registry's, never a partner's). */
function placedAtEcsField(path: string, value: string): ObservablePlacement {
  const placement: ObservablePlacement = { indicator: {}, related: {}, dragnet: {} };
  if (path.startsWith(ROOT_PREFIX)) placement.root = {};
  const [root, rest] = path.startsWith(INDICATOR_PREFIX)
    ? [placement.indicator, path.slice(INDICATOR_PREFIX.length)]
    : path.startsWith(DRAGNET_PREFIX)
      ? [placement.dragnet, path.slice(DRAGNET_PREFIX.length)]
      : placement.root
        ? [placement.root, path]
        : [null, ''];
  if (root === null) return placement;
  const names = rest.split('.');
  let node = root;
  for (const name of names.slice(0, -1)) {
    const child: Record<string, unknown> = {};
    node[name] = child;
    node = child;
  }
  node[names.at(-1)!] = value;
  if (path.startsWith(`${INDICATOR_PREFIX}file.hash.`)) placement.related.hash = [value];
  return placement;
}

const sortedUnion = (lists: string[][]) => [...new Set(lists.flat())].sort();

function bucketToDocument(bucket: TlpBucket) {
  return {
    tlp: bucket.tlp,
    feed: bucket.feeds,
    first_seen: iso(bucket.firstSeen),
    last_seen: iso(bucket.lastSeen),
    confidence: bucket.confidence,
    reference: bucket.reference,
    description: bucket.description,
    valid_until: iso(bucket.validUntil),
    tags: bucket.tags,
    threat_names: bucket.threatNames,
    record_ids: bucket.recordIds,
    stated_at: bucket.statedAt,
  };
}

/**
 * One partner: its whole view (what Kibana shows and searches) plus, in
 * `buckets` (not indexed, kept in _source), what it said under each marking,
 * so the merge state is recoverable exactly and answers can be projected.
 */
function sourceToDocument(source: SourceState) {
  const { stated_at: _view, ...view } = bucketToDocument(fullSourceView(source));
  return { provider: source.provider, ...view, buckets: source.buckets.map(bucketToDocument) };
}

/** Both objects' fields (`preferred`'s on a clash), or undefined when neither has any. */
function joinedObject(derived: unknown, preferred: unknown): Record<string, unknown> | undefined {
  const joined = { ...asRecord(derived), ...asRecord(preferred) };
  return Object.keys(joined).length > 0 ? joined : undefined;
}

function asRecord(value: unknown): Record<string, unknown> {
  return value !== null && typeof value === 'object' && !Array.isArray(value)
    ? (value as Record<string, unknown>)
    : {};
}

/** What every part of the document is computed from: the state, each partner's whole view, the observable. */
interface Projection {
  state: MergeState;
  sources: SourceView[];
  lastSeen: number;
  scoring: Scoring | null;
  observable: ObservablePlacement;
  enrichment: Record<string, unknown>;
}

/** `threat.indicator`: the ECS fields Kibana's threat-intel views read. */
function indicatorFields({ state, sources, lastSeen, scoring, observable, enrichment }: Projection) {
  const latestSource = [...sources].sort(
    (a, b) => b.lastSeen - a.lastSeen || (a.provider < b.provider ? -1 : 1),
  )[0];
  return dropUndefined({
    ...observable.indicator,
    type: KINDS[state.kind].ecsType(state.value),
    name: state.value,
    first_seen: iso(Math.min(...sources.map((source) => source.firstSeen))),
    last_seen: iso(lastSeen),
    modified_at: iso(lastSeen),
    confidence: confidenceBand(scoring?.score ?? null),
    marking: { tlp: stateMarking(state).toUpperCase() },
    provider: sources.map((source) => source.provider),
    sightings: sources.length,
    description: latestSource?.description ?? undefined,
    reference: latestSource?.reference ?? undefined,
    // The observable's own parts (an ASN's number, a URL's host) win over what enrichment derived.
    as: joinedObject(enrichment.as, observable.indicator.as),
    geo: joinedObject(enrichment.geo, observable.indicator.geo),
    url: joinedObject(enrichment.url, observable.indicator.url),
  });
}

/** `dragnet.*`: score, markings, per-partner statements and enrichment — everything `documentToState` reads back. */
function dragnetFields(projection: Projection, scoringBelow: DocumentOptions['scoringBelow']) {
  const { state, sources, scoring, observable, enrichment } = projection;
  const { warninglists, ...enrichmentExtras } = asRecord(enrichment.dragnet);
  const warninglistHits = Array.isArray(warninglists) ? warninglists : [];
  const suppressed = warninglistHits.some((hit) => asRecord(hit).action === 'suppress');
  const validUntils = sources.map((source) => source.validUntil);
  const validUntil = validUntils.includes(null) ? null : Math.max(...(validUntils as number[]));
  return {
    ...observable.dragnet,
    id: state.id,
    kind: state.kind,
    value: state.value,
    revision: state.revision,
    score: scoring?.score,
    base_score: scoring?.baseScore,
    expired: scoring?.expired,
    expires_at: scoring ? iso(scoring.expiresAt) : undefined,
    suppressed,
    active: scoring ? !scoring.expired && !suppressed : undefined,
    tlp: stateMarking(state),
    tlp_floor: stateFloor(state),
    last_seen_at: lastSeenAt(state),
    scoring_below: scoringBelowDocument(state, scoringBelow),
    threat_names: sortedUnion(sources.map((source) => source.threatNames)),
    // From the `vulnerability:` tags of the statements projected here, so each CVE keeps its statement's marking.
    vulnerabilities: vulnerabilitiesOfTags(sortedUnion(sources.map((source) => source.tags))),
    valid_until: iso(validUntil),
    provider_count: sources.length,
    sources: state.sources.map(sourceToDocument),
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
  };
}

/**
 * Projects merge state onto the ECS document Kibana's threat-intel features
 * understand. Everything needed to rebuild the state is in `dragnet.*`, so
 * Redis can be rebuilt from the index (`documentToState`, below).
 */
export function stateToDocument(state: MergeState, options: DocumentOptions): IndicatorDocument {
  const sources = state.sources.map(fullSourceView);
  const projection: Projection = {
    state,
    sources,
    lastSeen: Math.max(...sources.map((source) => source.lastSeen)),
    scoring: options.scoring,
    observable: observableFields(state.kind, state.value),
    enrichment: state.enrichment?.result ?? {},
  };
  return {
    '@timestamp': iso(projection.lastSeen),
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
      indicator: indicatorFields(projection),
    },
    related: projection.observable.related,
    ...projection.observable.root,
    tags: sortedUnion(sources.map((source) => source.tags)),
    dragnet: dragnetFields(projection, options.scoringBelow),
  };
}

/**
 * Per ceiling, the latest sighting a reader cleared up to it sees: answers
 * sort by it, so neither their order nor their paging cursor reveals a
 * sighting above the reader.
 */
function lastSeenAt(state: MergeState): Record<string, string | null> {
  const result: Record<string, string | null> = {};
  for (const ceiling of TLP_LEVELS) {
    const visible = projectState(state, ceiling);
    if (visible === null) continue;
    result[tlpFieldName(ceiling)] = iso(
      Math.max(...visible.sources.flatMap((source) => source.buckets.map((bucket) => bucket.lastSeen))),
    );
  }
  return result;
}

function scoringBelowDocument(state: MergeState, scoringBelow: DocumentOptions['scoringBelow']) {
  if (!scoringBelow) return undefined;
  const result: Record<string, unknown> = {};
  for (const ceiling of partialCeilings(state)) {
    const scoring = scoringBelow[ceiling];
    if (scoring) result[tlpFieldName(ceiling)] = scoringToDocument(scoring);
  }
  return result;
}

const scoringToDocument = (scoring: Scoring) => ({
  score: scoring.score,
  base_score: scoring.baseScore,
  expired: scoring.expired,
  expires_at: iso(scoring.expiresAt),
});

/** The scores a reader cleared up to each partial ceiling would compute, for `DocumentOptions.scoringBelow`. */
export function scoreBelowMarking(
  state: MergeState,
  score: (visible: MergeState) => Scoring,
): Partial<Record<Tlp, Scoring>> {
  const result: Partial<Record<Tlp, Scoring>> = {};
  for (const ceiling of partialCeilings(state)) {
    const visible = projectState(state, ceiling);
    if (visible) result[ceiling] = score(visible);
  }
  return result;
}

/** `DocumentOptions.scoringBelow[ceiling]` as stored in a document, or null when it holds none. */
export function storedScoringBelow(document: Record<string, unknown>, ceiling: Tlp): Scoring | null {
  const stored = asRecord(asRecord(asRecord(document.dragnet).scoring_below)[tlpFieldName(ceiling)]);
  if (typeof stored.score !== 'number' || typeof stored.base_score !== 'number') return null;
  return {
    score: stored.score,
    baseScore: stored.base_score,
    expired: stored.expired === true,
    expiresAt: parseTime(stored.expires_at),
  };
}

function dropUndefined(record: Record<string, unknown>): Record<string, unknown> {
  for (const key of Object.keys(record)) if (record[key] === undefined) delete record[key];
  return record;
}

const strings = (value: unknown) => (Array.isArray(value) ? value.map(String) : []);
const numberOr = (value: unknown, fallback: number) =>
  typeof value === 'number' && Number.isFinite(value) ? value : fallback;
/** A marking read back that is not a TLP level is treated as the most restrictive: fail closed. */
const storedTlp = (value: unknown): Tlp =>
  typeof value === 'string' && Object.hasOwn(TLP_ORDER, value) ? (value as Tlp) : 'red';

function documentToBucket(raw: unknown): TlpBucket {
  const bucket = asRecord(raw);
  const statedAt = asRecord(bucket.stated_at);
  return {
    tlp: storedTlp(bucket.tlp),
    feeds: strings(bucket.feed),
    firstSeen: parseTime(bucket.first_seen) ?? 0,
    lastSeen: parseTime(bucket.last_seen) ?? 0,
    confidence: typeof bucket.confidence === 'number' ? bucket.confidence : null,
    reference: typeof bucket.reference === 'string' ? bucket.reference : null,
    description: typeof bucket.description === 'string' ? bucket.description : null,
    validUntil: parseTime(bucket.valid_until),
    tags: strings(bucket.tags),
    threatNames: strings(bucket.threat_names),
    recordIds: strings(bucket.record_ids),
    statedAt: {
      confidence: numberOr(statedAt.confidence, 0),
      reference: numberOr(statedAt.reference, 0),
      description: numberOr(statedAt.description, 0),
    },
  };
}

function documentToSource(raw: unknown): SourceState | null {
  const source = asRecord(raw);
  // Documents written before buckets existed hold one statement per partner, under its latest marking.
  const stored = Array.isArray(source.buckets) ? source.buckets : [source];
  const byTlp = new Map<Tlp, TlpBucket>();
  for (const bucket of stored.map(documentToBucket)) {
    const existing = byTlp.get(bucket.tlp);
    byTlp.set(bucket.tlp, existing ? joinBuckets(existing, bucket) : bucket);
  }
  const buckets = [...byTlp.values()].sort((a, b) => TLP_ORDER[a.tlp] - TLP_ORDER[b.tlp]);
  return buckets.length === 0 ? null : { provider: String(source.provider), buckets };
}

/** Rebuilds merge state from an indexed document (after Redis lost it). */
export function documentToState(document: Record<string, unknown>): MergeState {
  const dragnet = asRecord(document.dragnet);
  const sources = (Array.isArray(dragnet.sources) ? dragnet.sources : [])
    .map(documentToSource)
    .filter((source): source is SourceState => source !== null)
    .sort((a, b) => (a.provider < b.provider ? -1 : a.provider > b.provider ? 1 : 0));
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
