import type { Tlp } from '@dragnet/indicators';
import { type MergeState, type SourceState, TLP_ORDER, type TlpBucket } from './state.js';

/** A partner entry as cached before per-marking buckets: one statement under its latest TLP. */
interface UnbucketedSource extends Omit<TlpBucket, 'tlp'> {
  provider: string;
  tlp: unknown;
}

/**
 * A state read from the cache, in the current shape. States cached before
 * per-marking buckets existed hold one statement per partner; each becomes one
 * bucket under the marking it carried (an unknown marking counts as RED: fail
 * closed). Current states are returned as they are.
 */
export function upgradeCachedState(state: MergeState): MergeState {
  if (state.sources.every((source) => Array.isArray(source.buckets))) return state;
  return {
    ...state,
    sources: state.sources.map((source) =>
      Array.isArray(source.buckets) ? source : bucketed(source as unknown as UnbucketedSource),
    ),
  };
}

function bucketed(source: UnbucketedSource): SourceState {
  const tlp: Tlp =
    typeof source.tlp === 'string' && Object.hasOwn(TLP_ORDER, source.tlp) ? (source.tlp as Tlp) : 'red';
  const statedAt = source.statedAt ?? { confidence: 0, reference: 0, description: 0 };
  return {
    provider: source.provider,
    buckets: [
      {
        tlp,
        feeds: source.feeds ?? [],
        firstSeen: source.firstSeen,
        lastSeen: source.lastSeen,
        confidence: source.confidence ?? null,
        reference: source.reference ?? null,
        description: source.description ?? null,
        validUntil: source.validUntil ?? null,
        tags: source.tags ?? [],
        threatNames: source.threatNames ?? [],
        recordIds: source.recordIds ?? [],
        statedAt: {
          confidence: statedAt.confidence ?? 0,
          reference: statedAt.reference ?? 0,
          description: statedAt.description ?? 0,
        },
      },
    ],
  };
}
