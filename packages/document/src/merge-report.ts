import type { IndicatorReport, Tlp } from '@dragnet/indicators';
import { stableStringify } from './merge-enrichment.js';
import {
  type EnrichmentState,
  MAX_RECORD_IDS,
  type MergeState,
  mostRestrictiveTlp,
  type SourceState,
  TLP_ORDER,
  type TlpBucket,
} from './state.js';

export interface MergeOptions {
  /** Last-seen resolution (default one hour): a re-publish within it changes nothing and writes nothing. */
  granularityMs: number;
  /** TLP for reports that carry none (the partner's default from the registry). */
  defaultTlp: Tlp;
}

export const DEFAULT_GRANULARITY_MS = 3_600_000;

export interface MergeResult {
  state: MergeState;
  changed: boolean;
}

const quantise = (epochMs: number, granularityMs: number) => epochMs - (epochMs % granularityMs);

const sameList = (a: readonly string[], b: readonly string[]) =>
  a.length === b.length && a.every((value, index) => value === b[index]);

/**
 * Sorted union, capped to the `limit` smallest values (so the capped set is
 * still order-independent). Returns `current` itself whenever the result
 * equals it — also when everything new falls beyond the cap — so callers
 * detect "no change" by identity.
 */
export function union(current: string[], incoming: string[], limit = Number.POSITIVE_INFINITY): string[] {
  const known = new Set(current);
  if (incoming.every((value) => known.has(value))) return current;
  const merged = [...new Set([...current, ...incoming])].sort();
  const capped = merged.length > limit ? merged.slice(0, limit) : merged;
  return sameList(capped, current) ? current : capped;
}

/**
 * The later statement wins; equal times go to the larger value. Null means
 * "the partner said nothing about it" and never erases a statement. A max over
 * a total order, hence associative and commutative.
 */
function latest<T extends string | number>(
  current: T | null,
  currentAt: number,
  incoming: T | null,
  incomingAt: number,
): { value: T | null; at: number } {
  if (incoming === null) return { value: current, at: currentAt };
  if (current === null) return { value: incoming, at: incomingAt };
  if (incomingAt > currentAt || (incomingAt === currentAt && incoming > current))
    return { value: incoming, at: incomingAt };
  return { value: current, at: currentAt };
}

const laterValidUntil = (a: number | null, b: number | null) =>
  a === null || b === null ? (a ?? b) : Math.max(a, b);

/**
 * One report as a bucket at the marking it was stated under. Last seen is
 * quantised down; a first sighting in the same quantum is brought down to it
 * too, so a bucket never has `lastSeen < firstSeen` (STIX `modified` before
 * `created` in the export). First seen stays exact otherwise.
 */
function reportBucket(report: IndicatorReport, options: MergeOptions): TlpBucket {
  const at = quantise(report.lastSeen, options.granularityMs);
  return {
    tlp: report.tlp ?? options.defaultTlp,
    feeds: [report.feedName],
    firstSeen: Math.min(report.firstSeen, at),
    lastSeen: at,
    confidence: report.confidence,
    reference: report.reference,
    description: report.description,
    validUntil: report.validUntil,
    tags: [...new Set(report.tags)].sort(),
    threatNames: [...new Set(report.threatNames)].sort(),
    recordIds: report.provenance.recordId ? [report.provenance.recordId] : [],
    // A field the partner left empty was never stated: time 0, so it cannot outrank a real statement.
    statedAt: {
      confidence: report.confidence === null ? 0 : at,
      reference: report.reference === null ? 0 : at,
      description: report.description === null ? 0 : at,
    },
  };
}

/**
 * The join of two buckets' content: every field is a min, max, union or a
 * total-order pick, so the join is idempotent, commutative and associative.
 * The marking is the more restrictive of the two. Merging a report joins it
 * into the bucket of its own marking; a reader's view of a partner joins the
 * buckets the reader is cleared for. Returns `current` itself when `incoming`
 * adds nothing.
 */
export function joinBuckets(current: TlpBucket, incoming: TlpBucket): TlpBucket {
  const confidence = latest(
    current.confidence,
    current.statedAt.confidence,
    incoming.confidence,
    incoming.statedAt.confidence,
  );
  const reference = latest(
    current.reference,
    current.statedAt.reference,
    incoming.reference,
    incoming.statedAt.reference,
  );
  const description = latest(
    current.description,
    current.statedAt.description,
    incoming.description,
    incoming.statedAt.description,
  );
  const joined: TlpBucket = {
    tlp: mostRestrictiveTlp([current.tlp, incoming.tlp]),
    feeds: union(current.feeds, incoming.feeds),
    // The min over both ends as well: a bucket stored before the invariant held (first after last) is
    // repaired by its next join, and the result is still a min over a set — order-independent.
    firstSeen: Math.min(current.firstSeen, incoming.firstSeen, current.lastSeen, incoming.lastSeen),
    lastSeen: Math.max(current.lastSeen, incoming.lastSeen),
    confidence: confidence.value,
    reference: reference.value,
    description: description.value,
    validUntil: laterValidUntil(current.validUntil, incoming.validUntil),
    tags: union(current.tags, incoming.tags),
    threatNames: union(current.threatNames, incoming.threatNames),
    recordIds: union(current.recordIds, incoming.recordIds, MAX_RECORD_IDS),
    statedAt: { confidence: confidence.at, reference: reference.at, description: description.at },
  };
  return bucketsEqual(current, joined) ? current : joined;
}

/** `b` is a join result with `a` as its `current`: unchanged lists are `a`'s own arrays. */
function bucketsEqual(a: TlpBucket, b: TlpBucket): boolean {
  return (
    a.tlp === b.tlp &&
    a.feeds === b.feeds &&
    a.firstSeen === b.firstSeen &&
    a.lastSeen === b.lastSeen &&
    a.confidence === b.confidence &&
    a.reference === b.reference &&
    a.description === b.description &&
    a.validUntil === b.validUntil &&
    a.tags === b.tags &&
    a.threatNames === b.threatNames &&
    a.recordIds === b.recordIds &&
    a.statedAt.confidence === b.statedAt.confidence &&
    a.statedAt.reference === b.statedAt.reference &&
    a.statedAt.description === b.statedAt.description
  );
}

/** Folds a bucket into the source's bucket of the same marking; returns `source` itself when nothing changed. */
function mergeIntoSource(source: SourceState, bucket: TlpBucket): SourceState {
  const index = source.buckets.findIndex((candidate) => candidate.tlp === bucket.tlp);
  if (index === -1) {
    const buckets = [...source.buckets, bucket].sort((a, b) => TLP_ORDER[a.tlp] - TLP_ORDER[b.tlp]);
    return { provider: source.provider, buckets };
  }
  const current = source.buckets[index]!;
  const joined = joinBuckets(current, bucket);
  if (joined === current) return source;
  const buckets = source.buckets.slice();
  buckets[index] = joined;
  return { provider: source.provider, buckets };
}

/**
 * Folds one partner report into an indicator's merge state. A pure function:
 * idempotent (the same report twice changes nothing the second time) and
 * order-independent (every field is a min, max, union or a total-order pick,
 * per partner and per TLP marking), so at-least-once delivery and replays
 * leave the same document.
 */
export function mergeReport(
  state: MergeState | null,
  report: IndicatorReport,
  options: MergeOptions,
): MergeResult {
  const bucket = reportBucket(report, options);
  if (state === null) {
    return {
      changed: true,
      state: {
        id: report.id,
        kind: report.kind,
        value: report.value,
        revision: 1,
        sources: [{ provider: report.provider, buckets: [bucket] }],
        enrichment: null,
        enrichmentRequested: null,
      },
    };
  }
  const index = state.sources.findIndex((source) => source.provider === report.provider);
  if (index === -1) {
    const sources = [...state.sources, { provider: report.provider, buckets: [bucket] }].sort((a, b) =>
      a.provider < b.provider ? -1 : 1,
    );
    return { changed: true, state: { ...state, sources, revision: state.revision + 1 } };
  }
  const current = state.sources[index]!;
  const merged = mergeIntoSource(current, bucket);
  if (merged === current) return { changed: false, state };
  const sources = state.sources.slice();
  sources[index] = merged;
  return { changed: true, state: { ...state, sources, revision: state.revision + 1 } };
}

/**
 * The join of two states of one indicator (e.g. the cached one and one read
 * back from the index): per partner, per TLP bucket, the same join that folds
 * reports, so it is idempotent, commutative and associative, and joining a
 * report's state is merging the report. Enrichment: the one from the higher
 * provider versions (then the larger result), a pick under a total order.
 * Revision: the higher. Returns `a` itself when `b` adds nothing to it.
 */
export function joinStates(a: MergeState, b: MergeState): MergeState {
  let sources = a.sources;
  for (const incoming of b.sources) {
    const index = sources.findIndex((source) => source.provider === incoming.provider);
    if (index === -1) {
      sources = [...sources, incoming].sort((x, y) => (x.provider < y.provider ? -1 : 1));
      continue;
    }
    const current = sources[index]!;
    let merged = current;
    for (const bucket of incoming.buckets) merged = mergeIntoSource(merged, bucket);
    if (merged === current) continue;
    sources = sources.slice();
    sources[index] = merged;
  }
  const enrichment = laterEnrichment(a.enrichment, b.enrichment);
  const revision = Math.max(a.revision, b.revision);
  // Cache-only ("scheduled for these provider versions"): the larger key, a pick under a total order.
  const enrichmentRequested =
    [a.enrichmentRequested, b.enrichmentRequested]
      .filter((key): key is string => key !== null)
      .sort()
      .at(-1) ?? null;
  if (
    sources === a.sources &&
    enrichment === a.enrichment &&
    revision === a.revision &&
    enrichmentRequested === a.enrichmentRequested
  )
    return a;
  return { ...a, sources, enrichment, revision, enrichmentRequested };
}

function laterEnrichment(a: EnrichmentState | null, b: EnrichmentState | null): EnrichmentState | null {
  if (a === null || b === null) return a ?? b;
  const providers = [...new Set([...Object.keys(a.versions), ...Object.keys(b.versions)])].sort();
  for (const provider of providers) {
    const left = Object.hasOwn(a.versions, provider) ? (a.versions[provider] ?? 0) : 0;
    const right = Object.hasOwn(b.versions, provider) ? (b.versions[provider] ?? 0) : 0;
    if (left !== right) return left > right ? a : b;
  }
  return stableStringify(b.result) > stableStringify(a.result) ? b : a;
}

/** Whether two states say the same (revision and the cache-only `enrichmentRequested` aside). */
export function sameContent(a: MergeState, b: MergeState): boolean {
  const content = (state: MergeState) =>
    stableStringify({
      id: state.id,
      kind: state.kind,
      value: state.value,
      sources: state.sources,
      enrichment: state.enrichment,
    });
  return content(a) === content(b);
}
