import { DEFAULT_GRANULARITY_MS, type MergeState, mergeReport, stateToDocument } from '@dragnet/document';
import { canonicalizeAny, type IndicatorReport, observableId, type Tlp } from '@dragnet/indicators';

export interface SightingSpec {
  provider: string;
  tlp?: Tlp;
  confidence?: number | null;
  /** Epoch ms (default: one day before `now`). */
  seen?: number;
  threatNames?: string[];
}

/**
 * An indexed document exactly as the pipeline builds it (merge → document),
 * for tests and benchmarks that need an index without running the pipeline.
 */
export function indicatorDocument(
  raw: string,
  sightings: SightingSpec[],
  options: { now?: number; score?: number } = {},
): { id: string; version: number; document: Record<string, unknown> } {
  const canonical = canonicalizeAny(raw);
  if (!canonical.ok) throw new Error(`not an observable: ${raw}: ${canonical.message}`);
  const now = options.now ?? Date.now();
  const id = observableId(canonical.kind, canonical.value);
  let state: MergeState | null = null;
  for (const sighting of sightings) {
    const seen = sighting.seen ?? now - 86_400_000;
    const report: IndicatorReport = {
      id,
      kind: canonical.kind,
      value: canonical.value,
      provider: sighting.provider,
      feedName: `${sighting.provider}-feed`,
      firstSeen: seen,
      lastSeen: seen,
      confidence: sighting.confidence ?? null,
      tlp: sighting.tlp ?? 'green',
      tags: [],
      threatNames: sighting.threatNames ?? [],
      description: null,
      reference: null,
      validUntil: null,
      provenance: { topic: 'test', partition: 0, offset: '0', recordId: null },
    };
    state = mergeReport(state, report, { granularityMs: DEFAULT_GRANULARITY_MS, defaultTlp: 'green' }).state;
  }
  if (!state) throw new Error('indicatorDocument needs at least one sighting');
  const score = options.score ?? 60;
  const document = stateToDocument(state, {
    now,
    scoring: { score, baseScore: score, expired: false, expiresAt: null },
  });
  return { id, version: state.revision, document };
}
