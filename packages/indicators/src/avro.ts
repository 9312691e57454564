import { readFileSync } from 'node:fs';
import avro from 'avsc';
import { assertAvroStructure } from './avro-guard.js';
import type { IndicatorReport } from './model.js';

const schema = (name: string) =>
  JSON.parse(readFileSync(new URL(`../schemas/${name}.avsc`, import.meta.url), 'utf8'));

/** The internal canonical record (`schemas/indicator-report.avsc`). */
const REPORT_SCHEMA_JSON = schema('indicator-report');
export const reportType = avro.Type.forSchema(REPORT_SCHEMA_JSON);

export function encodeReport(report: IndicatorReport): Buffer {
  return reportType.toBuffer(report);
}

/**
 * Throws unless `bytes` is exactly one report. The structure is checked
 * within bounds first (linear in the size): avsc trusts block counts, so
 * crafted bytes claiming 2^40 tags would keep it busy long past their end.
 */
export function decodeReport(bytes: Buffer): IndicatorReport {
  if (assertAvroStructure(bytes, REPORT_SCHEMA_JSON).size > 0) throw new Error('a string is not UTF-8');
  return reportType.fromBuffer(bytes) as IndicatorReport;
}

/** Partner schema versions, oldest first. A topic's format settings say which version partners write. */
const PARTNER_SCHEMA_JSON = { 1: schema('partner-batch-v1'), 2: schema('partner-batch-v2') } as const;
export const PARTNER_SCHEMAS = {
  1: avro.Type.forSchema(PARTNER_SCHEMA_JSON[1]),
  2: avro.Type.forSchema(PARTNER_SCHEMA_JSON[2]),
} as const;
export type PartnerSchemaVersion = keyof typeof PARTNER_SCHEMAS;
export const LATEST_PARTNER_SCHEMA: PartnerSchemaVersion = 2;

export interface PartnerIndicator {
  type: string;
  value: string;
  first_seen: number | null;
  last_seen: number | null;
  confidence: number | null;
  tlp: string | null;
  tags: string[];
  threat_names: string[];
  description: string | null;
  reference: string | null;
  valid_until: number | null;
  record_id: string | null;
  feed_name: string | null;
}

export interface PartnerBatch {
  indicators: PartnerIndicator[];
  /** Indexes of indicators with a string field that is not UTF-8 (decoded with U+FFFD by avsc). */
  invalidUtf8: ReadonlySet<number>;
}

const resolvers = new Map<PartnerSchemaVersion, avro.Resolver>();

/**
 * Reads a partner batch written with schema `writerVersion` as the latest
 * schema: fields added later take their defaults (Avro schema resolution).
 */
export function decodePartnerBatch(bytes: Buffer, writerVersion: PartnerSchemaVersion): PartnerBatch {
  // Partner bytes are untrusted: check their structure within bounds before avsc walks them.
  const invalidUtf8 = assertAvroStructure(bytes, PARTNER_SCHEMA_JSON[writerVersion]);
  const reader = PARTNER_SCHEMAS[LATEST_PARTNER_SCHEMA];
  if (writerVersion === LATEST_PARTNER_SCHEMA) {
    const { indicators } = reader.fromBuffer(bytes) as { indicators: PartnerIndicator[] };
    return { indicators, invalidUtf8 };
  }
  let resolver = resolvers.get(writerVersion);
  if (!resolver) {
    resolver = reader.createResolver(PARTNER_SCHEMAS[writerVersion]);
    resolvers.set(writerVersion, resolver);
  }
  const { indicators } = reader.fromBuffer(bytes, resolver, true) as { indicators: PartnerIndicator[] };
  return { indicators, invalidUtf8 };
}

export function encodePartnerBatch(
  indicators: Partial<PartnerIndicator>[],
  version: PartnerSchemaVersion = LATEST_PARTNER_SCHEMA,
): Buffer {
  const filled = indicators.map((indicator) => ({
    first_seen: null,
    last_seen: null,
    confidence: null,
    tlp: null,
    tags: [],
    threat_names: [],
    description: null,
    reference: null,
    valid_until: null,
    record_id: null,
    ...(version >= 2 ? { feed_name: null } : {}),
    ...indicator,
  }));
  if (version < 2) for (const item of filled) delete (item as Partial<PartnerIndicator>).feed_name;
  return PARTNER_SCHEMAS[version].toBuffer({ indicators: filled });
}
