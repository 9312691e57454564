import type { IndicatorReport, Tlp } from '@dragnet/indicators';
import { MAX_RECORD_IDS, type MergeState, type SourceState, TLP_ORDER } from './state.js';

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

/** Sorted union; returns `current` itself when nothing is new, so callers can detect "no change" cheaply. */
function union(current: string[], incoming: string[], limit = Number.POSITIVE_INFINITY): string[] {
  if (incoming.every((value) => current.includes(value))) return current;
  const merged = [...new Set([...current, ...incoming])].sort();
  return merged.length > limit ? merged.slice(0, limit) : merged;
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

function newSource(report: IndicatorReport, options: MergeOptions): SourceState {
  const at = quantise(report.lastSeen, options.granularityMs);
  return {
    provider: report.provider,
    feeds: [report.feedName],
    firstSeen: report.firstSeen,
    lastSeen: at,
    confidence: report.confidence,
    tlp: report.tlp ?? options.defaultTlp,
    reference: report.reference,
    description: report.description,
    validUntil: report.validUntil,
    tags: [...new Set(report.tags)].sort(),
    threatNames: [...new Set(report.threatNames)].sort(),
    recordIds: report.provenance.recordId ? [report.provenance.recordId] : [],
    // A field the partner left empty was never stated: time 0, so it cannot outrank a real statement.
    statedAt: {
      confidence: report.confidence === null ? 0 : at,
      tlp: at,
      reference: report.reference === null ? 0 : at,
      description: report.description === null ? 0 : at,
    },
  };
}

const TLP_BY_RANK = Object.keys(TLP_ORDER) as Tlp[];

function mergeSource(current: SourceState, report: IndicatorReport, options: MergeOptions): SourceState {
  const incoming = newSource(report, options);
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
  const tlpRank = latest(
    TLP_ORDER[current.tlp],
    current.statedAt.tlp,
    TLP_ORDER[incoming.tlp],
    incoming.statedAt.tlp,
  );
  const merged: SourceState = {
    provider: current.provider,
    feeds: union(current.feeds, incoming.feeds),
    firstSeen: Math.min(current.firstSeen, incoming.firstSeen),
    lastSeen: Math.max(current.lastSeen, incoming.lastSeen),
    confidence: confidence.value,
    tlp: TLP_BY_RANK[tlpRank.value ?? TLP_ORDER[current.tlp]] ?? current.tlp,
    reference: reference.value,
    description: description.value,
    validUntil:
      current.validUntil === null || incoming.validUntil === null
        ? (current.validUntil ?? incoming.validUntil)
        : Math.max(current.validUntil, incoming.validUntil),
    tags: union(current.tags, incoming.tags),
    threatNames: union(current.threatNames, incoming.threatNames),
    recordIds: union(current.recordIds, incoming.recordIds, MAX_RECORD_IDS),
    statedAt: {
      confidence: confidence.at,
      tlp: tlpRank.at,
      reference: reference.at,
      description: description.at,
    },
  };
  return sourcesEqual(current, merged) ? current : merged;
}

function sourcesEqual(a: SourceState, b: SourceState): boolean {
  return (
    a.feeds === b.feeds &&
    a.firstSeen === b.firstSeen &&
    a.lastSeen === b.lastSeen &&
    a.confidence === b.confidence &&
    a.tlp === b.tlp &&
    a.reference === b.reference &&
    a.description === b.description &&
    a.validUntil === b.validUntil &&
    a.tags === b.tags &&
    a.threatNames === b.threatNames &&
    a.recordIds === b.recordIds &&
    a.statedAt.confidence === b.statedAt.confidence &&
    a.statedAt.tlp === b.statedAt.tlp &&
    a.statedAt.reference === b.statedAt.reference &&
    a.statedAt.description === b.statedAt.description
  );
}

/**
 * Folds one partner report into an indicator's merge state. A pure function:
 * idempotent (the same report twice changes nothing the second time) and
 * order-independent (every field is a min, max, union or a total-order pick),
 * so at-least-once delivery and replays leave the same document.
 */
export function mergeReport(
  state: MergeState | null,
  report: IndicatorReport,
  options: MergeOptions,
): MergeResult {
  if (state === null) {
    return {
      changed: true,
      state: {
        id: report.id,
        kind: report.kind,
        value: report.value,
        revision: 1,
        sources: [newSource(report, options)],
        enrichment: null,
        enrichmentRequested: null,
      },
    };
  }
  const index = state.sources.findIndex((source) => source.provider === report.provider);
  if (index === -1) {
    const sources = [...state.sources, newSource(report, options)].sort((a, b) =>
      a.provider < b.provider ? -1 : 1,
    );
    return { changed: true, state: { ...state, sources, revision: state.revision + 1 } };
  }
  const current = state.sources[index]!;
  const merged = mergeSource(current, report, options);
  if (merged === current) return { changed: false, state };
  const sources = state.sources.slice();
  sources[index] = merged;
  return { changed: true, state: { ...state, sources, revision: state.revision + 1 } };
}
