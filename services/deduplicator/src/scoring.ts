import { type MergeState, type Scoring, scoreState } from '@dragnet/document';
import { providerVersions } from '@dragnet/enrichment';
import type { PartnerRegistry } from '@dragnet/partners';

/** Provider versions the deduplicator schedules enrichment for (raising one re-enriches). */
export function currentProviderVersions(epoch: number): Record<string, number> {
  return providerVersions(epoch);
}

/** A partner the registry does not know (any more) is trusted half. */
const UNKNOWN_PARTNER_TRUST = 0.5;

/**
 * The score rule (`scoreState`, packages/document/src/score/) with partner
 * trust from the registry.
 */
export function scoreWith(registry: PartnerRegistry): (state: MergeState, now: number) => Scoring {
  const trustOf = (provider: string) => registry.byId.get(provider)?.trust ?? UNKNOWN_PARTNER_TRUST;
  return (state, now) => scoreState(state, now, trustOf);
}
