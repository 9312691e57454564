import { documentToState, projectState, stateToDocument, storedScoringBelow } from '@dragnet/document';
import type { Tlp } from '@dragnet/indicators';
import { tlpVisible } from './tlp.js';

const record = (value: unknown): Record<string, unknown> =>
  value !== null && typeof value === 'object' && !Array.isArray(value)
    ? (value as Record<string, unknown>)
    : {};

/**
 * How much of an indexed document a reader cleared up to `ceiling` may see:
 * `none` when even its least restrictive statement is above the ceiling (the
 * indicator is then indistinguishable from an unknown one), `whole` when its
 * most restrictive one is not, `part` otherwise. A document written before
 * per-marking buckets existed has no floor: it counts as wholly at its marking.
 */
export function visibility(document: Record<string, unknown>, ceiling: Tlp): 'none' | 'part' | 'whole' {
  const dragnet = record(document.dragnet);
  const floor = dragnet.tlp_floor === undefined ? dragnet.tlp : dragnet.tlp_floor;
  if (!tlpVisible(floor, ceiling)) return 'none';
  return tlpVisible(dragnet.tlp, ceiling) ? 'whole' : 'part';
}

/**
 * The document as a reader cleared up to `ceiling` may know it, or null when
 * they may not know it at all. Content stated above the ceiling is absent, not
 * redacted: the document is rebuilt from the visible buckets only, by the code
 * that builds indexed documents, so tags, threat names, description,
 * reference, confidence, dates, partners and the marking (the most
 * restrictive of what it shows) are those of the visible statements. The
 * score is the one computed at index time from the same visible content
 * (`dragnet.scoring_below`); without one, the answer carries no score.
 * Needs the whole document (`dragnet.sources` with its buckets).
 */
export function projectDocument(
  document: Record<string, unknown>,
  ceiling: Tlp,
): Record<string, unknown> | null {
  const seen = visibility(document, ceiling);
  if (seen === 'none') return null;
  if (seen === 'whole') return document;
  const visible = projectState(documentToState(document), ceiling);
  if (visible === null) return null;
  const ingested = Date.parse(String(record(document.event).ingested));
  return stateToDocument(visible, {
    now: Number.isNaN(ingested) ? 0 : ingested,
    scoring: storedScoringBelow(document, ceiling),
  });
}
