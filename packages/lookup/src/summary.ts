import { FIELDS } from '@dragnet/document';
/** The answer to "do we know this?" for one indicator: what SOC tools act on, without the raw merge data. */
export interface IndicatorSummary {
  id: string;
  kind: string;
  value: string;
  type: string;
  score: number;
  confidence: string;
  tlp: string;
  active: boolean;
  expired: boolean;
  suppressed: boolean;
  first_seen: string;
  last_seen: string;
  threat_names: string[];
  /** CVE ids the indicator is stated to relate to (only those of statements the reader may see). */
  vulnerabilities: string[];
  warninglists: { name: string; action: string }[];
  sources: {
    provider: string;
    feed: string[];
    first_seen: string;
    last_seen: string;
    confidence: number | null;
    tlp: string;
  }[];
  as?: unknown;
  geo?: unknown;
}

/** The stored fields `summarize` reads: bulk lookups fetch only these (a fraction of the document). */
export const SUMMARY_FIELDS = [
  FIELDS.id,
  FIELDS.kind,
  FIELDS.value,
  FIELDS.network,
  FIELDS.score,
  FIELDS.tlp,
  FIELDS.tlpFloor,
  FIELDS.active,
  FIELDS.expired,
  FIELDS.suppressed,
  FIELDS.threatNames,
  FIELDS.vulnerabilities,
  FIELDS.warninglists,
  FIELDS.sourceProvider,
  FIELDS.sourceFeed,
  FIELDS.sourceFirstSeen,
  FIELDS.sourceLastSeen,
  FIELDS.sourceConfidence,
  FIELDS.sourceTlp,
  FIELDS.type,
  FIELDS.confidence,
  FIELDS.firstSeen,
  FIELDS.lastSeen,
  FIELDS.as,
  FIELDS.geo,
] as const;

const record = (value: unknown): Record<string, unknown> =>
  value !== null && typeof value === 'object' ? (value as Record<string, unknown>) : {};
const list = (value: unknown): unknown[] =>
  Array.isArray(value) ? value : value === undefined ? [] : [value];

export function summarize(document: Record<string, unknown>): IndicatorSummary {
  const dragnet = record(document.dragnet);
  const indicator = record(record(document.threat).indicator);
  const summary: IndicatorSummary = {
    id: String(dragnet.id),
    kind: String(dragnet.kind),
    value: String(dragnet.value),
    type: String(indicator.type),
    score: Number(dragnet.score ?? 0),
    confidence: String(indicator.confidence ?? 'None'),
    tlp: String(dragnet.tlp),
    active: dragnet.active === true,
    expired: dragnet.expired === true,
    suppressed: dragnet.suppressed === true,
    first_seen: String(indicator.first_seen),
    last_seen: String(indicator.last_seen),
    threat_names: list(dragnet.threat_names).map(String),
    vulnerabilities: list(dragnet.vulnerabilities).map(String),
    warninglists: list(dragnet.warninglists).map((hit) => ({
      name: String(record(hit).name),
      action: String(record(hit).action ?? 'warn'),
    })),
    sources: list(dragnet.sources).map((raw) => {
      const source = record(raw);
      return {
        provider: String(source.provider),
        feed: list(source.feed).map(String),
        first_seen: String(source.first_seen),
        last_seen: String(source.last_seen),
        confidence: typeof source.confidence === 'number' ? source.confidence : null,
        tlp: String(source.tlp),
      };
    }),
  };
  if (indicator.as !== undefined) summary.as = indicator.as;
  if (indicator.geo !== undefined) summary.geo = indicator.geo;
  return summary;
}
