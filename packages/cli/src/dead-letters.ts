import { createHash } from 'node:crypto';
import {
  DEAD_LETTER_HEADERS,
  DEFAULT_NAMES,
  type DeadLetter,
  deadLetterKey,
  decodeDeadLetter,
  HEADERS,
  type Names,
  type RedriveMark,
  TRUNCATION_MARKER,
} from '@dragnet/contracts';
import { encodeMergeInput } from '@dragnet/contracts/merge-input';
import {
  createBatchProducer,
  ensureTopics,
  type KafkaClient,
  type OutgoingRecord,
  readTopicRange,
  topicOffsets,
} from '@dragnet/kafka';
import type { CliContext } from './context.js';

/** What the dlq commands need of the CLI context (tests give their own Kafka). */
export type DlqContext = Pick<CliContext, 'kafka'>;

/** Topics the dlq commands use (`dlqTopics(context.names)`); tests give unique names. */
export interface DlqTopics {
  deadLetter: string;
  redrives: string;
  /** Where an indexer letter's refresh goes (the deduplicator's input). */
  canonical: string;
}

export const dlqTopics = ({ topics }: Names): DlqTopics => ({
  deadLetter: topics.deadLetter,
  redrives: topics.deadLetterRedrives,
  canonical: topics.mergeInput,
});

export interface DeadLetterEntry {
  position: string;
  letter: DeadLetter;
}

/**
 * Reads the whole dead-letter topic (it is small by design: rejects only, each letter bounded).
 * Without `topic`, the process environment's (deprecated default, for callers not migrated yet).
 */
export async function readDeadLetters(
  kafka: KafkaClient,
  topic: string = DEFAULT_NAMES.topics.deadLetter,
): Promise<DeadLetterEntry[]> {
  const entries: DeadLetterEntry[] = [];
  // The whole topic, read with a throw-away group (deleted after) so nobody's offsets move.
  for (const message of await readTopicRange(kafka, topic, { groupIdPrefix: 'dragnet-cli-dlq-' })) {
    if (!message.value) continue;
    try {
      entries.push({
        position: `${message.partition}:${message.offset}`,
        letter: decodeDeadLetter(message.value),
      });
    } catch {
      // Not ours; the topic is shared by stages only, so this is left visible by its absence.
    }
  }
  return entries;
}

export interface DeadLetterFilter {
  code?: string;
  stage?: string;
  partner?: string;
  positions?: string[];
}

/** The dlq commands' `--code`, `--stage`, `--partner` and `--position` as a filter: an option not given filters nothing. */
export function deadLetterFilter(values: {
  code?: string | undefined;
  stage?: string | undefined;
  partner?: string | undefined;
  position?: string[] | undefined;
}): DeadLetterFilter {
  return {
    ...(values.code ? { code: values.code } : {}),
    ...(values.stage ? { stage: values.stage } : {}),
    ...(values.partner ? { partner: values.partner } : {}),
    ...(values.position ? { positions: values.position } : {}),
  };
}

export function selectDeadLetters(entries: DeadLetterEntry[], filter: DeadLetterFilter): DeadLetterEntry[] {
  return entries.filter(
    ({ position, letter }) =>
      (!filter.code ||
        letter.code === filter.code ||
        letter.rejects.some((reject) => reject.reason === filter.code) ||
        (letter.rejectCounts ?? []).some((count) => count.reason === filter.code)) &&
      (!filter.stage || letter.stage === filter.stage) &&
      (!filter.partner || letter.source.partner === filter.partner) &&
      (!filter.positions || filter.positions.includes(position)),
  );
}

/** Characters a terminal may act on: C0 controls but newline and tab, DEL, C1 controls, bidirectional overrides. */
const TERMINAL_CONTROL = /[\u0000-\u0008\u000b-\u001f\u007f-\u009f\u200e\u200f\u202a-\u202e\u2066-\u2069]/g;
const hex4 = (char: string) => `\\u${char.charCodeAt(0).toString(16).padStart(4, '0')}`;

/** Text (also JSON) safe for a terminal: control characters become `\uXXXX` escapes, which JSON reads back. */
export function escapeText(text: string, options: { keepNewlines?: boolean } = {}): string {
  const escaped = text.replace(TERMINAL_CONTROL, hex4);
  return options.keepNewlines ? escaped : escaped.replace(/[\n\r\t]/g, hex4);
}

/**
 * Partner bytes made safe for a terminal: valid UTF-8 is kept (newlines and
 * tabs too, so a CSV stays readable), every control character is escaped
 * (`\x1b`, `\u009b`, …), and bytes that are not UTF-8 are shown as `\xNN`; a
 * backslash is doubled so the output is unambiguous. Linear in the bytes.
 */
export function escapeBytes(bytes: Buffer): string {
  const out: string[] = [];
  let i = 0;
  while (i < bytes.length) {
    const byte = bytes[i] as number;
    if (byte < 0x80) {
      if (byte === 0x5c) out.push('\\\\');
      else if (byte === 0x0a || byte === 0x09 || (byte >= 0x20 && byte < 0x7f))
        out.push(String.fromCharCode(byte));
      else out.push(`\\x${byte.toString(16).padStart(2, '0')}`);
      i++;
      continue;
    }
    const length = byte >= 0xf0 && byte <= 0xf4 ? 4 : byte >= 0xe0 ? 3 : byte >= 0xc2 && byte < 0xe0 ? 2 : 0;
    const sequence = length > 0 && i + length <= bytes.length ? bytes.subarray(i, i + length) : null;
    const text = sequence ? sequence.toString('utf8') : '';
    // Valid only if it decodes to one character that re-encodes to the same bytes (no U+FFFD substitution).
    if (sequence && text.length > 0 && !text.includes('\ufffd') && Buffer.from(text).equals(sequence)) {
      out.push(escapeText(text));
      i += length;
    } else {
      out.push(`\\x${byte.toString(16).padStart(2, '0')}`);
      i++;
    }
  }
  return out.join('');
}

export async function listDeadLetters(
  context: DlqContext,
  filter: DeadLetterFilter,
  topics: DlqTopics,
): Promise<void> {
  const entries = selectDeadLetters(await readDeadLetters(context.kafka(), topics.deadLetter), filter);
  const marks = await readRedriveMarks(context.kafka(), topics.redrives);
  for (const { position, letter } of entries) {
    const redriven = markFor(marks, position, letter) ? ' [re-driven]' : '';
    console.log(
      escapeText(
        `${position.padEnd(10)} ${letter.stage.padEnd(12)} ${letter.code.padEnd(22)} ${letter.source.topic}:${letter.source.partition}:${letter.source.offset}  ${letter.reason}${redriven}`,
      ),
    );
  }
  console.log(`${entries.length} dead letter(s)`);
}

/** One dead letter as `dlq show` prints it: nothing in it reaches the terminal unescaped. */
export function formatDeadLetter(letter: DeadLetter): string {
  const { original, ...rest } = letter;
  const bytes = Buffer.from(original, 'base64');
  const label = letter.originalTruncated
    ? `first ${bytes.length} of ${letter.originalLength} bytes; \`dlq redrive\` fetches the rest from the source`
    : `${bytes.length} bytes`;
  const shown = escapeBytes(bytes);
  return `${escapeText(JSON.stringify(rest, null, 2), { keepNewlines: true })}\n--- original (${label}, control bytes escaped) ---\n${shown}${shown.endsWith('\n') ? '' : '\n'}`;
}

export async function showDeadLetter(
  context: DlqContext,
  position: string,
  topics: DlqTopics,
): Promise<void> {
  const entry = (await readDeadLetters(context.kafka(), topics.deadLetter)).find(
    (candidate) => candidate.position === position,
  );
  if (!entry)
    throw new Error(`no dead letter at ${position} (format: partition:offset, see \`dragnet dlq list\`)`);
  process.stdout.write(formatDeadLetter(entry.letter));
}

/** Re-drive marks by dead-letter position (the latest per key: the topic is compacted). */
async function readRedriveMarks(kafka: KafkaClient, topic: string): Promise<Map<string, RedriveMark>> {
  const marks = new Map<string, RedriveMark>();
  // The whole topic, read with a throw-away group (deleted after) so nobody's offsets move.
  for (const message of await readTopicRange(kafka, topic, { groupIdPrefix: 'dragnet-cli-dlq-' })) {
    if (!message.key || !message.value) continue;
    try {
      marks.set(message.key.toString(), JSON.parse(message.value.toString()) as RedriveMark);
    } catch {
      // A mark we cannot read counts as absent: at worst a letter is re-driven once more.
    }
  }
  return marks;
}

/** A mark counts only for the letter it was written for (a recreated dead-letter topic reuses positions). */
const markFor = (marks: Map<string, RedriveMark>, position: string, letter: DeadLetter) => {
  const mark = marks.get(position);
  return mark && mark.letter === deadLetterKey(letter) ? mark : undefined;
};

export type RedrivePlan =
  | { kind: 'send'; record: OutgoingRecord; as: RedriveMark['as'] }
  | { kind: 'refuse'; reason: string };

/**
 * Where a letter goes back to, by the stage that rejected it:
 * - normalizer → its partner topic, the partner's bytes as sent;
 * - deduplicator → the canonical topic with its original headers (record type), so a
 *   refresh or an enrichment result is read as one again;
 * - indexer → a *refresh* of its indicator on the canonical topic: the deduplicator
 *   rebuilds the document from the current merge state under a new revision,
 *   instead of a stale document being appended to the changes topic;
 * - enricher → refused (enrichment jobs are retried with `dragnet jobs retry`).
 * `original` is the full source value (the letter's, or fetched back when it was cut short).
 */
export function planRedrive(
  entry: DeadLetterEntry,
  original: { key: string | null; value: Buffer },
  topics: DlqTopics,
): RedrivePlan {
  const { letter, position } = entry;
  const marker = {
    [DEAD_LETTER_HEADERS.redrivenFrom]: position,
    ...(letter.correlationId ? { [HEADERS.correlationId]: letter.correlationId } : {}),
  };
  // Headers the dead-letter path itself set on a re-driven record are not the record's own.
  const own = { ...letter.headers };
  delete own[DEAD_LETTER_HEADERS.redrivenFrom];
  switch (letter.stage) {
    case 'normalizer':
    case 'deduplicator':
      return {
        kind: 'send',
        as: 'original',
        record: {
          topic: letter.source.topic,
          key: original.key,
          value: original.value,
          headers: { ...own, ...marker },
        },
      };
    case 'indexer': {
      if (!original.key)
        return { kind: 'refuse', reason: 'the change record has no key (indicator id) to refresh' };
      const refresh = encodeMergeInput({ kind: 'refresh', record: { id: original.key, reason: 'rescore' } });
      return {
        kind: 'send',
        as: 'refresh',
        record: { topic: topics.canonical, ...refresh, headers: { ...refresh.headers, ...marker } },
      };
    }
    default:
      return {
        kind: 'refuse',
        reason: `letters of stage ${escapeText(String(letter.stage))} are not re-driven from here (enrichment: \`dragnet jobs retry\`)`,
      };
  }
}

/** The full source value of a letter whose original (or key) was cut short, read back from its source position. */
async function fetchFromSource(
  kafka: KafkaClient,
  letter: DeadLetter,
): Promise<{ key: string | null; value: Buffer } | { error: string }> {
  const { topic, partition, offset } = letter.source;
  const where = `${topic}:${partition}:${offset}`;
  const offsets = await topicOffsets(kafka, topic);
  if (offsets === null) return { error: `source topic ${topic} no longer exists` };
  const bounds = offsets.find((entry) => entry.partition === partition);
  if (!bounds || BigInt(offset) < BigInt(bounds.low) || BigInt(offset) >= BigInt(bounds.high))
    return { error: `the source record ${where} is no longer retained` };
  const [found] = await readTopicRange(kafka, topic, {
    ranges: [{ partition, from: offset, until: String(BigInt(offset) + 1n) }],
    timeoutMs: 20_000,
    groupIdPrefix: 'dragnet-cli-fetch-',
  }).catch(() => []);
  if (!found) return { error: `the source record ${where} could not be read back` };
  const value = found.value ?? Buffer.alloc(0);
  const digest = createHash('sha256').update(value).digest('hex');
  if (letter.originalSha256 && digest !== letter.originalSha256)
    return { error: `the record now at ${where} is not the one dead-lettered (SHA-256 differs)` };
  return { key: found.key?.toString('utf8') ?? null, value };
}

export interface RedriveOptions {
  /** Re-drive letters that were re-driven before too. */
  again?: boolean;
  topics: DlqTopics;
}

export interface RedriveResult {
  redriven: number;
  /** Already re-driven (give `again` to re-drive them anyway). */
  skipped: number;
  refused: { position: string; reason: string }[];
}

type PlannedRedrive = { entry: DeadLetterEntry; plan: Extract<RedrivePlan, { kind: 'send' }> };

/** Each letter's plan; a letter cut short is completed from its source first, or refused when it cannot be. */
async function planRedrives(
  kafka: KafkaClient,
  pending: DeadLetterEntry[],
  topics: DlqTopics,
): Promise<{ planned: PlannedRedrive[]; refused: RedriveResult['refused'] }> {
  const planned: PlannedRedrive[] = [];
  const refused: RedriveResult['refused'] = [];
  for (const entry of pending) {
    const { letter } = entry;
    const cut =
      letter.originalTruncated === true || (letter.source.key?.endsWith(TRUNCATION_MARKER) ?? false);
    const original = cut
      ? await fetchFromSource(kafka, letter)
      : { key: letter.source.key, value: Buffer.from(letter.original, 'base64') };
    if ('error' in original) {
      refused.push({
        position: entry.position,
        reason: `the letter holds only the first bytes of the original and ${original.error}: it cannot be re-driven`,
      });
      continue;
    }
    const plan = planRedrive(entry, original, topics);
    if (plan.kind === 'refuse') refused.push({ position: entry.position, reason: plan.reason });
    else planned.push({ entry, plan });
  }
  return { planned, refused };
}

/** The re-driven records, then (once they are acknowledged) one mark per letter. */
async function sendRedrives(kafka: KafkaClient, planned: PlannedRedrive[], topics: DlqTopics): Promise<void> {
  const producer = await createBatchProducer(kafka);
  try {
    await producer.send(planned.map(({ plan }) => plan.record));
    const redrivenAt = new Date().toISOString();
    await producer.send(
      planned.map(({ entry, plan }) => ({
        topic: topics.redrives,
        key: entry.position,
        value: JSON.stringify({
          letter: deadLetterKey(entry.letter),
          redrivenAt,
          target: plan.record.topic,
          as: plan.as,
        } satisfies RedriveMark),
      })),
    );
  } finally {
    await producer.disconnect();
  }
}

/**
 * Re-drives selected dead letters to the stage that rejected them (see
 * `planRedrive`), each at most once: after the re-driven records are
 * acknowledged, one mark per letter goes to the compacted
 * `topics.deadLetterRedrives` (key = the letter's position); a later run
 * skips marked letters unless `again`. A crash between the two writes
 * re-drives those letters once more, which merging makes harmless.
 */
export async function redriveDeadLetters(
  context: DlqContext,
  filter: DeadLetterFilter,
  options: RedriveOptions,
): Promise<RedriveResult> {
  const { topics } = options;
  const kafka = context.kafka();
  await ensureTopics(kafka, [
    {
      topic: topics.redrives,
      partitions: 1,
      config: { 'cleanup.policy': 'compact' },
    },
  ]);
  const entries = selectDeadLetters(await readDeadLetters(kafka, topics.deadLetter), filter);
  const marks = await readRedriveMarks(kafka, topics.redrives);
  const pending = options.again
    ? entries
    : entries.filter(({ position, letter }) => !markFor(marks, position, letter));
  const { planned, refused } = await planRedrives(kafka, pending, topics);
  if (planned.length > 0) await sendRedrives(kafka, planned, topics);
  const result: RedriveResult = {
    redriven: planned.length,
    skipped: entries.length - pending.length,
    refused,
  };
  console.log(`re-drove ${result.redriven} dead letter(s) to the stages that rejected them`);
  if (result.skipped > 0)
    console.log(`skipped ${result.skipped} already re-driven (give --again to re-drive them once more)`);
  for (const { position, reason } of result.refused) console.log(`refused ${position}: ${reason}`);
  return result;
}
