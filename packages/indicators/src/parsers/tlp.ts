/**
 * Markings as partners spell them: TLP 1.0 and 2.0 levels in any case and
 * with any separator (`tlp:amber`, `TLP AMBER`, `tlp-amber`, `amber`,
 * `TLP:AMBER+STRICT`, `amber strict`, `white` = TLP 2.0 CLEAR), and PAP marks
 * (`PAP:GREEN`), which are about what a reader may *do*, not who may read:
 * kept as tags, never read as a TLP. A marking Dragnet cannot read is a
 * warning on its record (`unknown_marking`), kept as a tag; never the loss of
 * the record.
 */
import type { Tlp } from '../model.js';

const TLP_BY_NAME: ReadonlyMap<string, Tlp> = new Map([
  ['clear', 'clear'],
  // TLP 1.0 WHITE is TLP 2.0 CLEAR.
  ['white', 'clear'],
  ['green', 'green'],
  ['amber', 'amber'],
  ['amber+strict', 'amber+strict'],
  ['amber strict', 'amber+strict'],
  ['amber-strict', 'amber+strict'],
  ['amber_strict', 'amber+strict'],
  ['red', 'red'],
]);

const COMMON_SPELLINGS: ReadonlyMap<string, Tlp> = new Map(
  [...TLP_BY_NAME].flatMap(([name, level]) => [
    [`tlp:${name}`, level],
    [`TLP:${name.toUpperCase()}`, level],
    [name.toUpperCase(), level],
  ]),
);

/** `tlp` then any run of blanks, `:`, `-`, `_` or `=`: `TLP:`, `tlp `, `TLP - `, `tlp_`. */
const TLP_PREFIX = /^tlp(?:[\s:=_-]+|$)/;
const PAP_PREFIX = /^pap(?:[\s:=_-]+|$)/;

/** `TLP:AMBER`, `tlp amber`, `amber`, `tlp:white` → TLP 2.0 level; null when it is not one. */
export function parseTlp(value: string): Tlp | null {
  // Fast path: the common spellings (`green`, `TLP:AMBER`) are one Map lookup (Avro batches carry one per record).
  const direct = TLP_BY_NAME.get(value) ?? COMMON_SPELLINGS.get(value);
  if (direct) return direct;
  const lower = value.trim().toLowerCase();
  const match = TLP_PREFIX.exec(lower);
  const level = (match ? lower.slice(match[0].length) : lower).trim().replace(/\s+/g, ' ');
  return TLP_BY_NAME.get(level) ?? null;
}

export type Marking =
  | { type: 'tlp'; level: Tlp }
  | { type: 'pap'; text: string }
  | { type: 'unknown'; text: string }
  /** Not a marking at all (an ordinary tag). */
  | { type: 'none' };

/** Whether a tag is meant as a marking: it starts with `tlp` or `pap` as a word. */
export function isMarkingTag(tag: string): boolean {
  const lower = tag.trim().toLowerCase();
  return TLP_PREFIX.test(lower) || PAP_PREFIX.test(lower);
}

/**
 * What a tag says about marking: a TLP level (a bare `amber` tag too), a PAP
 * mark, a marking Dragnet cannot read (`tlp:amberish`, `tlp:ex:chr`), or
 * nothing (an ordinary tag).
 * `asMarking` reads text that can only be a marking (a TLP column or field),
 * where a bare `amber` counts.
 */
export function classifyMarking(text: string, asMarking = false): Marking {
  const lower = text.trim().toLowerCase();
  if (PAP_PREFIX.test(lower)) return { type: 'pap', text };
  const level = parseTlp(lower);
  if (level) return { type: 'tlp', level };
  return TLP_PREFIX.test(lower) || asMarking ? { type: 'unknown', text } : { type: 'none' };
}

export const TLP_RANK: Readonly<Record<Tlp, number>> = {
  clear: 0,
  green: 1,
  amber: 2,
  'amber+strict': 3,
  red: 4,
};

/** The most restrictive of the levels given (a record marked both GREEN and AMBER is AMBER). */
export function mostRestrictive(levels: Iterable<Tlp>): Tlp | null {
  let result: Tlp | null = null;
  for (const level of levels) if (result === null || TLP_RANK[level] > TLP_RANK[result]) result = level;
  return result;
}
