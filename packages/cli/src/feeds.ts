import { once } from 'node:events';
import { createWriteStream } from 'node:fs';
import { readFile, stat } from 'node:fs/promises';
import { join } from 'node:path';
import { HEADERS } from '@dragnet/contracts';
import { generateIndicators, toCsvLine } from '@dragnet/feedgen';
import { createBatchProducer } from '@dragnet/kafka';
import { newCorrelationId } from '@dragnet/logger';
import type { CliContext } from './context.js';
import { formatTransferLine, type ProgressSink, progress, progressLine } from './progress.js';
import { splitFeedFile } from './split.js';

/** `dragnet feed push --partner P FILE…`: each file to the partner's topic, split into bounded messages. */
export async function pushFeed(
  context: CliContext,
  args: { partner: string; files: string[]; linesPerMessage: number; sink?: ProgressSink },
): Promise<number> {
  const partner = context.registry().byId.get(args.partner);
  if (!partner) throw new Error(`unknown partner ${JSON.stringify(args.partner)}: see infra/partners.json`);
  const files = await Promise.all(args.files.map(async (file) => ({ file, size: (await stat(file)).size })));
  const totalBytes = files.reduce((sum, entry) => sum + entry.size, 0);
  const producer = await createBatchProducer(context.kafka());
  const line = progressLine(args.sink);
  const started = Date.now();
  const sent = { records: 0, bytes: 0 };
  const render = () =>
    formatTransferLine(
      `push ${partner.id}`,
      { ...sent, seconds: (Date.now() - started) / 1_000, totalBytes },
      { bar: line.tty },
    );
  try {
    for (const { file } of files) {
      const parts = splitFeedFile(await readFile(file), partner.format, args.linesPerMessage);
      for (let start = 0; start < parts.length; start += 50) {
        const chunk = parts.slice(start, start + 50);
        await producer.send(
          chunk.map((value) => ({
            topic: partner.topic,
            key: null,
            value,
            headers: { [HEADERS.correlationId]: newCorrelationId() },
          })),
        );
        sent.records += chunk.length;
        sent.bytes += chunk.reduce((sum, part) => sum + part.length, 0);
        line.update(render());
      }
    }
  } catch (error) {
    line.interrupt();
    throw error;
  } finally {
    await producer.disconnect();
  }
  line.done(render());
  console.log(`pushed ${sent.records} message(s) to ${partner.topic}`);
  return sent.records;
}

/**
 * `dragnet feed generate`: a synthetic feed per partner (CSV: value,type,first_seen),
 * deterministic by seed, written to a folder.
 */
export async function generateFeed(args: {
  count: number;
  duplicates: number;
  seed: number;
  partners: string[];
  outDir: string;
  baseTime?: number;
}): Promise<void> {
  const streams = new Map(
    args.partners.map((partner) => [partner, createWriteStream(join(args.outDir, `${partner}.csv`))]),
  );
  const bar = progress('generate', args.count);
  let pending = 0;
  for (const indicator of generateIndicators({
    count: args.count,
    duplicateRatio: args.duplicates,
    seed: args.seed,
    partners: args.partners,
    ...(args.baseTime !== undefined ? { baseTime: args.baseTime } : {}),
  })) {
    const stream = streams.get(indicator.partner)!;
    if (!stream.write(`${toCsvLine(indicator)}\n`)) await once(stream, 'drain');
    if (++pending === 10_000) {
      bar.add(pending);
      pending = 0;
    }
  }
  bar.add(pending);
  await Promise.all([...streams.values()].map((stream) => new Promise((resolve) => stream.end(resolve))));
  bar.finish();
  for (const partner of args.partners) console.log(`wrote ${join(args.outDir, `${partner}.csv`)}`);
}
