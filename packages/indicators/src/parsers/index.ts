import { MAX_MESSAGE_BYTES } from '../limits.js';
import type { ParseResult } from '../model.js';
import { type AvroFormat, parseAvroPartner, validateAvroFormat } from './avro-partner.js';
import { type ParseContext, ResultBuilder } from './common.js';
import { type CsvFormat, parseCsv, validateCsvFormat } from './csv.js';
import { type MispFormat, parseMisp } from './misp.js';
import { parseStix, type StixFormat } from './stix.js';

export type FeedFormat = AvroFormat | StixFormat | MispFormat | CsvFormat;
export const FEED_FORMAT_TYPES = ['avro', 'stix', 'misp', 'csv'] as const;

/** Problems with a partner's format settings (the registry test and loader use it); empty when valid. */
export function validateFeedFormat(format: unknown): string[] {
  if (!format || typeof format !== 'object') return ['format must be an object'];
  const record = format as Record<string, unknown>;
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

export type { ParseContext } from './common.js';
