import { type CanonicalOptions, INTERNAL_SUFFIXES, type InternalSuffix } from '../domain.js';
import { MAX_MESSAGE_BYTES } from '../limits.js';
import type { ParseResult } from '../model.js';
import { type AvroFormat, parseAvroPartner, validateAvroFormat } from './avro-partner.js';
import { type ParseContext, ResultBuilder } from './common.js';
import { type CsvFormat, parseCsv, validateCsvFormat } from './csv.js';
import { type MispFormat, parseMisp } from './misp.js';
import { parseStix, type StixFormat } from './stix.js';

/**
 * Canonicalisation settings any format takes: internal suffixes the feed may
 * report as domains (`["onion"]`), and its own minimum network prefixes.
 */
export interface CanonicalSettings {
  internalSuffixes?: InternalSuffix[];
  minIpv4Prefix?: number;
  minIpv6Prefix?: number;
}
const CANONICAL_SETTINGS = ['internalSuffixes', 'minIpv4Prefix', 'minIpv6Prefix'] as const;

export type FeedFormat = (AvroFormat | StixFormat | MispFormat | CsvFormat) & CanonicalSettings;
export const FEED_FORMAT_TYPES = ['avro', 'stix', 'misp', 'csv'] as const;

function canonicalSettingsProblems(record: Record<string, unknown>): string[] {
  const problems: string[] = [];
  const suffixes = record.internalSuffixes;
  if (
    suffixes !== undefined &&
    !(Array.isArray(suffixes) && suffixes.every((suffix) => INTERNAL_SUFFIXES.includes(suffix)))
  )
    problems.push(`internalSuffixes must be a list of ${INTERNAL_SUFFIXES.join(', ')}`);
  for (const [key, max] of [
    ['minIpv4Prefix', 32],
    ['minIpv6Prefix', 128],
  ] as const) {
    const value = record[key];
    if (
      value !== undefined &&
      !(Number.isInteger(value) && (value as number) >= 1 && (value as number) <= max)
    )
      problems.push(`${key} must be an integer from 1 to ${max}`);
  }
  return problems;
}

/** Problems with a partner's format settings (the registry test and loader use it); empty when valid. */
export function validateFeedFormat(format: unknown): string[] {
  if (!format || typeof format !== 'object') return ['format must be an object'];
  const problems = canonicalSettingsProblems(format as Record<string, unknown>);
  const record = Object.fromEntries(
    Object.entries(format).filter(([key]) => !(CANONICAL_SETTINGS as readonly string[]).includes(key)),
  );
  return [...problems, ...formatProblems(record)];
}

function formatProblems(record: Record<string, unknown>): string[] {
  switch (record.type) {
    case 'avro':
      return validateAvroFormat(record);
    case 'csv':
      return validateCsvFormat(record);
    case 'stix':
    case 'misp':
      return Object.keys(record)
        .filter((key) => key !== 'type')
        .map((key) => `unknown ${record.type} setting ${key} (${record.type} takes no settings)`);
    default:
      return [`unknown format type ${JSON.stringify(record.type)} (one of ${FEED_FORMAT_TYPES.join(', ')})`];
  }
}

/**
 * One Kafka message's bytes → canonical indicators and rejects. Pure: no I/O,
 * and every indicator or reject in the message is accounted for.
 */
export function parseFeedMessage(
  bytes: Buffer | Uint8Array,
  format: FeedFormat,
  context: ParseContext,
): ParseResult {
  if (bytes.byteLength > MAX_MESSAGE_BYTES) {
    const result = new ResultBuilder(context);
    result.reject(
      'too_large',
      `message of ${bytes.byteLength} bytes (at most ${MAX_MESSAGE_BYTES})`,
      null,
      'message',
    );
    return result;
  }
  const options = canonicalOptionsOf(format);
  if (options) context = { ...context, canonicalOptions: options };
  switch (format.type) {
    case 'avro':
      return parseAvroPartner(bytes, format, context);
    case 'stix':
      return parseStix(bytes, format, context);
    case 'misp':
      return parseMisp(bytes, format, context);
    case 'csv':
      return parseCsv(bytes, format, context);
  }
}

/** The canonicalisation settings of a format, or undefined when it sets none (the common case). */
function canonicalOptionsOf(format: CanonicalSettings): CanonicalOptions | undefined {
  if (
    format.internalSuffixes === undefined &&
    format.minIpv4Prefix === undefined &&
    format.minIpv6Prefix === undefined
  )
    return undefined;
  return {
    ...(format.internalSuffixes ? { internalSuffixes: format.internalSuffixes } : {}),
    ...(format.minIpv4Prefix === undefined ? {} : { minIpv4Prefix: format.minIpv4Prefix }),
    ...(format.minIpv6Prefix === undefined ? {} : { minIpv6Prefix: format.minIpv6Prefix }),
  };
}

export type { ParseContext } from './common.js';
