import { type DeadLetter, decodeDeadLetter, TOPICS } from '@dragnet/contracts';
import type { TestKafka as Kafka } from '@dragnet/test-kit';
import { readTopic } from '@dragnet/test-kit';

/** Every letter on this namespace's dead-letter topic, decoded (all of it, up to the current end). */
export async function readDeadLetters(kafka: Kafka): Promise<DeadLetter[]> {
  const admin = kafka.admin();
  await admin.connect();
  try {
    const offsets = await admin.fetchTopicOffsets(TOPICS.deadLetter);
    const total = offsets.reduce((sum, entry) => sum + Number(entry.high) - Number(entry.low), 0);
    const records = await readTopic(kafka, TOPICS.deadLetter, total, 60_000);
    return records.map((record) => decodeDeadLetter(record.value!));
  } finally {
    await admin.disconnect();
  }
}

/** Letters of one stage with the code `stage_error` (a handler threw: a bug, never an outage). */
export const stageErrors = (letters: DeadLetter[]) =>
  letters.filter((letter) => letter.code === 'stage_error');
