import { HEADERS, type Names } from '@dragnet/contracts';
import { encodeMergeInput, isCorrelationId } from '@dragnet/contracts/merge-input';
import { type IndicatorReport, parseFeedMessage, type Reject } from '@dragnet/indicators';
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
 * keyed by indicator id, `encodeMergeInput`) and dead letters out. Every indicator and every
 * reject of a message is accounted for; nothing is dropped silently. A
 * message of a registered partner with rejects is dead-lettered twice: on the
 * shared dead-letter topic (operators) and on that partner's rejects topic
 * (`dragnet.rejects.<id>`, the partner), so no partner reads another's data.
 */
export function normalizeBatch(
  records: ConsumedRecord[],
  registry: PartnerRegistry,
  names: Pick<Names, 'topics'>,
): NormalizedBatch {
  const outgoing: OutgoingRecord[] = [];
  const rejectsByReason = new Map<string, number>();
  let indicators = 0;
  for (const record of records) {
    // A partner's own correlation id is kept when it is one; anything else (too long, control bytes) is replaced.
    const given = record.headers[HEADERS.correlationId];
    const correlationId = isCorrelationId(given) ? given : newCorrelationId();
    const partner = registry.byTopic.get(record.topic);
    const { reports, rejects } = parseMessage(record, partner);
    for (const indicator of reports) {
      outgoing.push({
        topic: names.topics.mergeInput,
        ...encodeMergeInput({ kind: 'report', record: indicator }, correlationId),
      });
    }
    indicators += reports.length;
    if (rejects.length > 0) {
      const letter = deadLetterRecord({
        record,
        stage: 'normalizer',
        rejects,
        partner: partner?.id ?? null,
        correlationId,
        topic: names.topics.deadLetter,
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

type Partner = NonNullable<ReturnType<PartnerRegistry['byTopic']['get']>>;

/** One partner message through its partner's parser: the reports it holds and every reject. */
function parseMessage(
  record: ConsumedRecord,
  partner: Partner | undefined,
): { reports: IndicatorReport[]; rejects: Reject[] } {
  if (!partner) {
    const message = `topic ${record.topic} belongs to no registered partner`;
    return {
      reports: [],
      rejects: [{ reason: 'invalid_structure', message, value: null, location: 'message' }],
    };
  }
  if (!record.value || record.value.length === 0) {
    return {
      reports: [],
      rejects: [{ reason: 'empty_value', message: 'message has no value', value: null, location: 'message' }],
    };
  }
  const result = parseFeedMessage(record.value, partner.format, {
    provider: partner.id,
    feedName: partner.feedName,
    defaultTlp: partner.defaultTlp,
    topic: record.topic,
    partition: record.partition,
    offset: record.offset,
    receivedAt: record.timestamp,
  });
  return { reports: result.indicators, rejects: result.rejects };
}
