import { HEADERS, RECORD_TYPE_HEADER, RECORD_TYPES, TOPICS } from '@dragnet/contracts';
import { encodeReport, parseFeedMessage, type Reject } from '@dragnet/indicators';
import { type ConsumedRecord, deadLetterRecord, type OutgoingRecord } from '@dragnet/kafka';
import { newCorrelationId } from '@dragnet/logger';
import type { PartnerRegistry } from '@dragnet/partners';

export interface NormalizedBatch {
  outgoing: OutgoingRecord[];
  indicators: number;
  /** Reject counts by reason code, for metrics. */
  rejectsByReason: Map<string, number>;
}

/**
 * The normalizer's pure core: partner messages in, canonical reports (Avro,
 * keyed by indicator id) and dead letters out. Every indicator and every
 * reject of a message is accounted for; nothing is dropped silently. A
 * message of a registered partner with rejects is dead-lettered twice: on the
 * shared dead-letter topic (operators) and on that partner's rejects topic
 * (`dragnet.rejects.<id>`, the partner), so no partner reads another's data.
 */
export function normalizeBatch(records: ConsumedRecord[], registry: PartnerRegistry): NormalizedBatch {
  const outgoing: OutgoingRecord[] = [];
  const rejectsByReason = new Map<string, number>();
  let indicators = 0;
  for (const record of records) {
    const correlationId = record.headers[HEADERS.correlationId] ?? newCorrelationId();
    const partner = registry.byTopic.get(record.topic);
    let rejects: Reject[];
    if (!partner) {
      rejects = [
        {
          reason: 'invalid_structure',
          message: `topic ${record.topic} belongs to no registered partner`,
          value: null,
          location: 'message',
        },
      ];
    } else if (!record.value || record.value.length === 0) {
      rejects = [
        { reason: 'empty_value', message: 'message has no value', value: null, location: 'message' },
      ];
    } else {
      const result = parseFeedMessage(record.value, partner.format, {
        provider: partner.id,
        feedName: partner.feedName,
        defaultTlp: partner.defaultTlp,
        topic: record.topic,
        partition: record.partition,
        offset: record.offset,
        receivedAt: record.timestamp,
      });
      rejects = result.rejects;
      const headers = { [HEADERS.correlationId]: correlationId, [RECORD_TYPE_HEADER]: RECORD_TYPES.report };
      for (const indicator of result.indicators) {
        outgoing.push({
          topic: TOPICS.canonical,
          key: indicator.id,
          value: encodeReport(indicator),
          headers,
        });
      }
      indicators += result.indicators.length;
    }
    if (rejects.length > 0) {
      const letter = deadLetterRecord({
        record,
        stage: 'normalizer',
        rejects,
        partner: partner?.id ?? null,
        correlationId,
      });
      outgoing.push(letter);
      // The same letter for the partner: it holds only this message's own bytes and reasons.
      if (partner) outgoing.push({ ...letter, topic: partner.rejectsTopic });
      for (const reject of rejects)
        rejectsByReason.set(reject.reason, (rejectsByReason.get(reject.reason) ?? 0) + 1);
    }
  }
  return { outgoing, indicators, rejectsByReason };
}
