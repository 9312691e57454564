import { providerVersions, scoreIndicator, type WarninglistAction } from '@dragnet/enrichment';
import { fullSourceView, type MergeState, type Scoring } from '@dragnet/merge';
import type { PartnerRegistry } from '@dragnet/partners';

/** Provider versions the deduplicator schedules enrichment for (raising one re-enriches). */
export function currentProviderVersions(epoch: number): Record<string, number> {
  return providerVersions(epoch);
}

/**
 * The score of a merged indicator now: partner trust (registry), partners'
 * confidence, corroboration, warninglist hits and decay since the last
 * sighting (packages/enrichment/README.md has the formula and an example).
 */
export function scoreWith(registry: PartnerRegistry): (state: MergeState, now: number) => Scoring {
  return (state, now) => {
    const extras = (state.enrichment?.result.dragnet ?? {}) as {
      warninglists?: { action: WarninglistAction }[];
    };
    const result = scoreIndicator({
      kind: state.kind,
      now,
      warninglistHits: extras.warninglists ?? [],
      sources: state.sources.map(fullSourceView).map((source) => ({
        provider: source.provider,
        trust: registry.byId.get(source.provider)?.trust ?? 0.5,
        confidence: source.confidence,
        lastSeen: source.lastSeen,
        validUntil: source.validUntil,
      })),
    });
    return {
      score: result.score,
      baseScore: result.baseScore,
      expired: result.expired,
      expiresAt: result.expiresAt,
    };
  };
}
