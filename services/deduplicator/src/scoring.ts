import type { MergeState, Scoring } from '@dragnet/merge';
import type { PartnerRegistry } from '@dragnet/partners';

/** Provider versions the deduplicator schedules enrichment for. */
export function currentProviderVersions(): Record<string, number> {
  return { noop: 1 };
}

/** Interim score until the enrichment package's model lands: trust-weighted best confidence. */
export function scoreWith(registry: PartnerRegistry): (state: MergeState, now: number) => Scoring {
  return (state) => {
    let best = 0;
    for (const source of state.sources) {
      const trust = registry.byId.get(source.provider)?.trust ?? 0.5;
      best = Math.max(best, Math.round((source.confidence ?? 50) * trust));
    }
    return { score: best, baseScore: best, expired: false, expiresAt: null };
  };
}
