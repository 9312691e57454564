import { countDocuments, findMostReported } from '@dragnet/elasticsearch';
import { consumerGroupLag } from '@dragnet/kafka';
import type { CliContext } from './context.js';
import { openCliQueue } from './enrichment-jobs.js';
import { formatBacklogLine, type ProgressSink, progressLine } from './progress.js';

function pipelineGroups(context: CliContext): [string, string[]][] {
  const registry = context.registry();
  const { groups, topics } = context.names;
  return [
    [groups.normalizer, registry.partners.map((partner) => partner.topic)],
    [groups.deduplicator, [topics.mergeInput]],
    [groups.indexer, [topics.changes]],
  ];
}

/** Records not yet consumed by each stage, plus enrichment jobs not yet done. */
async function backlog(context: CliContext) {
  // The stages and the queue are read at once: each lag read is an admin connection of its own.
  const [lags, counts] = await Promise.all([
    Promise.all(
      pipelineGroups(context).map(async ([group, topics]) => {
        const partitions = await consumerGroupLag(context.kafka(), group, topics);
        const lag = partitions.reduce((sum, entry) => sum + entry.lag, 0);
        return [group, { lag, partitions: partitions.length }] as const;
      }),
    ),
    enrichmentQueueCounts(context),
  ]);
  return { lagByGroup: new Map(lags), counts };
}

async function enrichmentQueueCounts(context: CliContext) {
  const queue = openCliQueue(context, 'enrichment');
  try {
    return await queue.counts('waiting', 'active', 'delayed', 'failed', 'completed');
  } finally {
    await queue.close();
  }
}

/** Pending records cleared per second over the samples (oldest to newest); 0 while the backlog grows. */
export function clearingRate(samples: readonly { at: number; pending: number }[]): number {
  const first = samples[0];
  const last = samples.at(-1);
  if (!first || !last || last.at <= first.at) return 0;
  return Math.max(0, (first.pending - last.pending) / ((last.at - first.at) / 1_000));
}

const pendingOf = ({ lagByGroup, counts }: Awaited<ReturnType<typeof backlog>>): number =>
  [...lagByGroup.values()].reduce((sum, entry) => sum + entry.lag, 0) +
  (counts.waiting ?? 0) +
  (counts.active ?? 0) +
  (counts.delayed ?? 0);

/**
 * `dragnet status --wait`: blocks until every stage has caught up (for demos
 * and scripts), showing pending records and jobs, the rate they clear at and
 * an ETA — one updating line with a bar on a terminal, a plain line every few
 * seconds otherwise.
 */
export async function waitUntilIdle(
  context: CliContext,
  timeoutMs: number,
  options: { sink?: ProgressSink; pollMs?: number } = {},
): Promise<void> {
  const started = Date.now();
  const line = progressLine(options.sink);
  const samples: { at: number; pending: number }[] = [];
  let peak = 0;
  for (;;) {
    const pending = pendingOf(await backlog(context));
    const at = Date.now();
    samples.push({ at, pending });
    // The rate over the last 30 s: recent enough to follow a change of pace, long enough to be steady.
    while (samples.length > 2 && at - (samples[0]?.at ?? at) > 30_000) samples.shift();
    peak = Math.max(peak, pending);
    const sample = {
      pending,
      peak,
      ratePerSecond: clearingRate(samples),
      elapsedSeconds: (at - started) / 1_000,
    };
    if (pending === 0) {
      if (samples.length > 1) line.done(formatBacklogLine(sample, { bar: line.tty }));
      return;
    }
    if (at - started > timeoutMs) {
      line.interrupt();
      throw new Error(`pipeline still has ${pending} records or jobs pending after ${timeoutMs} ms`);
    }
    line.update(formatBacklogLine(sample, { bar: line.tty }), samples.length === 1);
    await new Promise((resolve) => setTimeout(resolve, options.pollMs ?? 1_000));
  }
}

/** Lag per consumer group, queue depths and the indexed document count. */
export async function status(context: CliContext): Promise<void> {
  const { lagByGroup, counts } = await backlog(context);
  console.log('consumer group lag');
  for (const [group, { lag, partitions }] of lagByGroup) {
    console.log(`  ${group.padEnd(34)} ${String(lag).padStart(10)}  (${partitions} partitions)`);
  }
  console.log(
    `enrichment queue  ${Object.entries(counts)
      .map(([name, count]) => `${name}=${count}`)
      .join(' ')}`,
  );
  const { alias } = context.names.index;
  const count = await countDocuments(context.elasticsearch(), alias).catch(() => 'n/a');
  console.log(`indexed documents ${count} (${alias})`);
}

/** `dragnet sample`: the indexed indicator with the most partners, as analysts see it. */
export async function sample(context: CliContext): Promise<void> {
  const document = await findMostReported(context.elasticsearch(), context.names.index.alias);
  if (!document) throw new Error('the index has no documents yet');
  console.log(JSON.stringify(document, null, 2));
}
