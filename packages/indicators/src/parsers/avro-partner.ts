import { decodePartnerBatch, PARTNER_SCHEMAS, type PartnerSchemaVersion } from '../avro.js';
import { kindOfTypeName } from '../kinds.js';
import { asBuffer, type ParseContext, parseTlp, ResultBuilder, validConfidence } from './common.js';
import { isEpochMsInRange } from './dates.js';

/** An optional Avro epoch-ms date is absent or in 1970–9999: `9e15` would throw in `toISOString()` downstream. */
const validDate = (value: number | null): boolean => value === null || isEpochMsInRange(value);

export interface AvroFormat {
  type: 'avro';
  /** The partner schema version the partner writes (see schemas/partner-batch-v*.avsc). */
  schemaVersion: PartnerSchemaVersion;
}

export function validateAvroFormat(format: Record<string, unknown>): string[] {
  const errors =
    Number.isInteger(format.schemaVersion) && Object.hasOwn(PARTNER_SCHEMAS, String(format.schemaVersion))
      ? []
      : [`schemaVersion must be one of ${Object.keys(PARTNER_SCHEMAS).join(', ')}`];
  for (const key of Object.keys(format)) {
    if (key !== 'type' && key !== 'schemaVersion') errors.push(`unknown Avro setting ${key}`);
  }
  return errors;
}

export function parseAvroPartner(
  bytes: Buffer | Uint8Array,
  format: AvroFormat,
  context: ParseContext,
): ResultBuilder {
  const result = new ResultBuilder(context);
  let batch: ReturnType<typeof decodePartnerBatch>;
  try {
    batch = decodePartnerBatch(asBuffer(bytes), format.schemaVersion);
  } catch (error) {
    result.reject(
      'invalid_avro',
      `not a Dragnet partner batch (schema v${format.schemaVersion}): ${(error as Error).message}`,
      null,
      'message',
    );
    return result;
  }
  batch.indicators.forEach((item, index) => {
    addPartnerIndicator(result, item, batch.invalidUtf8.has(index), `indicators[${index}]`);
  });
  return result;
}

type PartnerItem = ReturnType<typeof decodePartnerBatch>['indicators'][number];

/** One decoded record: an indicator, or a reject naming the field that makes it none. */
function addPartnerIndicator(
  result: ResultBuilder,
  item: PartnerItem,
  invalidUtf8: boolean,
  location: string,
) {
  if (invalidUtf8)
    return result.reject(
      'invalid_utf8',
      'a string field is not valid UTF-8 (it would have been read with U+FFFD replacements)',
      item.value,
      location,
    );
  const kind = kindOfTypeName(item.type);
  if (!kind)
    return result.reject(
      'unsupported_type',
      `unsupported indicator type ${JSON.stringify(item.type.slice(0, 100))}`,
      item.value,
      location,
    );
  const confidence = validConfidence(item.confidence);
  if (confidence === 'invalid')
    return result.reject(
      'invalid_confidence',
      'confidence must be an integer from 0 to 100',
      item.value,
      location,
    );
  const invalidDates = (['first_seen', 'last_seen', 'valid_until'] as const).filter(
    (field) => !validDate(item[field]),
  );
  const dated = (field: 'first_seen' | 'last_seen' | 'valid_until') =>
    invalidDates.includes(field) ? null : item[field];
  // An unreadable marking keeps the record (at AMBER or above, the marking as a tag, a warning).
  const tlp = item.tlp === null ? null : parseTlp(item.tlp);
  result.add(
    kind,
    item.value,
    {
      firstSeen: dated('first_seen'),
      lastSeen: dated('last_seen'),
      confidence,
      tlp,
      tags: item.tags,
      threatNames: item.threat_names,
      description: item.description,
      reference: item.reference,
      validUntil: dated('valid_until'),
      recordId: item.record_id,
      feedName: item.feed_name,
      invalidDates: [...invalidDates],
      unknownMarkings: item.tlp !== null && tlp === null ? [item.tlp] : [],
    },
    location,
  );
}
