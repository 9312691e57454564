import { DEAD_LETTER_HEADERS, type DeadLetter, decodeDeadLetter, HEADERS, TOPICS } from '@dragnet/contracts';
import { createBatchProducer, type Kafka } from '@dragnet/kafka';
import type { CliContext } from '../context.js';
import { progress } from '../progress.js';

export interface DeadLetterEntry {
  position: string;
  letter: DeadLetter;
}

/** Reads the whole dead-letter topic (it is small by design: rejects only). */
export async function readDeadLetters(
  kafka: Kafka,
  topic: string = TOPICS.deadLetter,
): Promise<DeadLetterEntry[]> {
  const admin = kafka.admin();
  await admin.connect();
  const offsets = await admin.fetchTopicOffsets(topic);
  await admin.disconnect();
  const remaining = new Map(
    offsets
      .filter((entry) => BigInt(entry.high) > BigInt(entry.low))
      .map((entry) => [entry.partition, BigInt(entry.high)]),
  );
  const entries: DeadLetterEntry[] = [];
  if (remaining.size === 0) return entries;
  // A throw-away group: reading dead letters must not move anyone's offsets.
  const groupId = `dragnet-cli-dlq-${process.pid}-${Date.now()}`;
  const consumer = kafka.consumer({ groupId, maxWaitTimeInMs: 200 });
  await consumer.connect();
  await consumer.subscribe({ topic, fromBeginning: true });
  await new Promise<void>((resolve, reject) => {
    consumer
      .run({
        eachMessage: async ({ partition, message }) => {
          if (message.value) {
            try {
              entries.push({
                position: `${partition}:${message.offset}`,
                letter: decodeDeadLetter(message.value),
              });
            } catch {
              // Not ours; the topic is shared by stages only, so this is left visible by its absence.
            }
          }
          if (BigInt(message.offset) + 1n >= (remaining.get(partition) ?? 0n)) remaining.delete(partition);
          if (remaining.size === 0) resolve();
        },
      })
      .catch(reject);
  });
  await consumer.disconnect();
  await admin.connect();
  await admin.deleteGroups([groupId]).catch(() => undefined);
  await admin.disconnect();
  return entries;
}

export interface DeadLetterFilter {
  code?: string;
  stage?: string;
  partner?: string;
  positions?: string[];
}

export function selectDeadLetters(entries: DeadLetterEntry[], filter: DeadLetterFilter): DeadLetterEntry[] {
  return entries.filter(
    ({ position, letter }) =>
      (!filter.code ||
        letter.code === filter.code ||
        letter.rejects.some((reject) => reject.reason === filter.code)) &&
      (!filter.stage || letter.stage === filter.stage) &&
      (!filter.partner || letter.source.partner === filter.partner) &&
      (!filter.positions || filter.positions.includes(position)),
  );
}

export async function listDeadLetters(context: CliContext, filter: DeadLetterFilter): Promise<void> {
  const entries = selectDeadLetters(await readDeadLetters(context.kafka()), filter);
  for (const { position, letter } of entries) {
    console.log(
      `${position.padEnd(10)} ${letter.stage.padEnd(12)} ${letter.code.padEnd(22)} ${letter.source.topic}:${letter.source.partition}:${letter.source.offset}  ${letter.reason}`,
    );
  }
  console.log(`${entries.length} dead letter(s)`);
}

export async function showDeadLetter(context: CliContext, position: string): Promise<void> {
  const entry = (await readDeadLetters(context.kafka())).find((candidate) => candidate.position === position);
  if (!entry)
    throw new Error(`no dead letter at ${position} (format: partition:offset, see \`dragnet dlq list\`)`);
  const { original, ...rest } = entry.letter;
  console.log(JSON.stringify(rest, null, 2));
  const bytes = Buffer.from(original, 'base64');
  console.log(`--- original bytes (${bytes.length}) ---`);
  process.stdout.write(bytes);
  if (bytes.at(-1) !== 0x0a) process.stdout.write('\n');
}

/**
 * Re-drives selected dead letters: their original bytes go back to their
 * source topic, marked with where they came from. Merging is idempotent, so
 * the parts of a message that had already been processed are harmless.
 */
export async function redriveDeadLetters(context: CliContext, filter: DeadLetterFilter): Promise<number> {
  const entries = selectDeadLetters(await readDeadLetters(context.kafka()), filter);
  const producer = await createBatchProducer(context.kafka());
  const bar = progress('re-drive', entries.length);
  try {
    await producer.send(
      entries.map(({ position, letter }) => ({
        topic: letter.source.topic,
        key: letter.source.key,
        value: Buffer.from(letter.original, 'base64'),
        headers: {
          [DEAD_LETTER_HEADERS.redrivenFrom]: position,
          ...(letter.correlationId ? { [HEADERS.correlationId]: letter.correlationId } : {}),
        },
      })),
    );
    bar.add(entries.length);
  } finally {
    await producer.disconnect();
  }
  bar.finish();
  console.log(`re-drove ${entries.length} dead letter(s) to their source topics`);
  return entries.length;
}
