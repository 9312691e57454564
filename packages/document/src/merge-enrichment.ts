import type { EnrichmentState, MergeState } from './state.js';

export interface EnrichmentUpdate {
  id: string;
  versions: Record<string, number>;
  result: Record<string, unknown>;
}

/** Stable key of a provider-version set: what "already enriched / already scheduled" is compared by. */
export function versionsKey(versions: Record<string, number>): string {
  return Object.keys(versions)
    .sort()
    .map((name) => `${name}@${versions[name]}`)
    .join(',');
}

function stableEqual(a: unknown, b: unknown): boolean {
  return stableStringify(a) === stableStringify(b);
}

export function stableStringify(value: unknown): string {
  if (value === null || typeof value !== 'object') return JSON.stringify(value) ?? 'null';
  if (Array.isArray(value)) return `[${value.map(stableStringify).join(',')}]`;
  const entries = Object.entries(value as Record<string, unknown>)
    .filter(([, entry]) => entry !== undefined)
    .sort(([a], [b]) => (a < b ? -1 : a > b ? 1 : 0));
  return `{${entries.map(([key, entry]) => `${JSON.stringify(key)}:${stableStringify(entry)}`).join(',')}}`;
}

/**
 * Applies an enrichment result. Results from older provider versions never
 * replace newer ones; an identical result (a re-run after a worker crash)
 * changes nothing, so an indicator is enriched once in the index.
 */
export function mergeEnrichment(
  state: MergeState,
  update: EnrichmentUpdate,
): { state: MergeState; changed: boolean } {
  const current = state.enrichment;
  if (current) {
    const older = Object.entries(update.versions).some(
      ([name, version]) => (current.versions[name] ?? 0) > version,
    );
    if (older) return { state, changed: false };
    if (stableEqual(current.versions, update.versions) && stableEqual(current.result, update.result)) {
      return { state, changed: false };
    }
  }
  const enrichment: EnrichmentState = { versions: { ...update.versions }, result: update.result };
  return { changed: true, state: { ...state, enrichment, revision: state.revision + 1 } };
}

/** Whether enrichment for `wanted` provider versions still has to be scheduled. */
export function needsEnrichment(state: MergeState, wanted: Record<string, number>): boolean {
  const key = versionsKey(wanted);
  if (state.enrichmentRequested === key) return false;
  return state.enrichment === null || versionsKey(state.enrichment.versions) !== key;
}
