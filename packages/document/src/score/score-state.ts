import type { Scoring } from '../document.js';
import { fullSourceView } from '../projection.js';
import type { MergeState } from '../state.js';
import { scoreIndicator, type WarninglistAction } from './score.js';

/** Trust in a partner, 0..1 (the partner registry's `trust`). */
export type TrustOf = (provider: string) => number;

function warninglistHits(state: MergeState): { action: WarninglistAction }[] {
  const hits = (state.enrichment?.result.dragnet as { warninglists?: unknown } | undefined)?.warninglists;
  // A cached state is read back from Redis: anything but a list of hits counts as none.
  if (!Array.isArray(hits)) return [];
  return hits.flatMap((hit) => {
    const action = (hit as { action?: unknown } | null)?.action;
    return action === 'warn' || action === 'suppress' ? [{ action }] : [];
  });
}

/**
 * The score of a merged indicator now: partner trust, each partner's
 * confidence over everything it said (all its markings), corroboration,
 * warninglist hits and decay since the last sighting (README "Score and
 * decay"). What a reader cleared for less sees is scored on the projected
 * state (`scoreBelowMarking`).
 */
export function scoreState(state: MergeState, now: number, trustOf: TrustOf): Scoring {
  const result = scoreIndicator({
    kind: state.kind,
    now,
    warninglistHits: warninglistHits(state),
    sources: state.sources.map(fullSourceView).map((source) => ({
      provider: source.provider,
      trust: trustOf(source.provider),
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
}
