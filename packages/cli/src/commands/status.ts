import { CONSUMER_GROUPS, INDEX, TOPICS } from '@dragnet/contracts';
import { consumerGroupLag } from '@dragnet/kafka';
import { createQueue } from '@dragnet/queue';
import type { CliContext } from '../context.js';

function pipelineGroups(context: CliContext): [string, string[]][] {
  const registry = context.registry();
  return [
    [CONSUMER_GROUPS.normalizer, registry.partners.map((partner) => partner.topic)],
    [CONSUMER_GROUPS.deduplicator, [TOPICS.canonical]],
    [CONSUMER_GROUPS.indexer, [TOPICS.changes]],
  ];
}

/** Records not yet consumed by each stage, plus enrichment jobs not yet done. */
async function backlog(context: CliContext) {
  const lagByGroup = new Map<string, { lag: number; partitions: number }>();
  for (const [group, topics] of pipelineGroups(context)) {
    const lags = await consumerGroupLag(context.kafka(), group, topics);
    lagByGroup.set(group, { lag: lags.reduce((sum, entry) => sum + entry.lag, 0), partitions: lags.length });
  }
  const queue = createQueue('enrichment', context.redis());
  const counts = await queue.getJobCounts('waiting', 'active', 'delayed', 'failed', 'completed');
  await queue.close();
  return { lagByGroup, counts };
}

/** `dragnet status --wait`: blocks until every stage has caught up (for demos and scripts). */
export async function waitUntilIdle(context: CliContext, timeoutMs: number): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    const { lagByGroup, counts } = await backlog(context);
    const pending =
      [...lagByGroup.values()].reduce((sum, entry) => sum + entry.lag, 0) +
      (counts.waiting ?? 0) +
      (counts.active ?? 0) +
      (counts.delayed ?? 0);
    if (pending === 0) return;
    if (Date.now() > deadline)
      throw new Error(`pipeline still has ${pending} records or jobs pending after ${timeoutMs} ms`);
    process.stderr.write(`waiting for the pipeline: ${pending} pending\n`);
    await new Promise((resolve) => setTimeout(resolve, 2_000));
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
  const elasticsearch = context.elasticsearch();
  const count = await elasticsearch.count({ index: INDEX.alias }).catch(() => ({ count: 'n/a' }));
  console.log(`indexed documents ${count.count} (${INDEX.alias})`);
}

/** `dragnet sample`: the indexed indicator with the most partners, as analysts see it. */
export async function sample(context: CliContext): Promise<void> {
  const elasticsearch = context.elasticsearch();
  await elasticsearch.indices.refresh({ index: INDEX.alias });
  const result = await elasticsearch.search({
    index: INDEX.alias,
    size: 1,
    sort: [{ 'dragnet.provider_count': 'desc' }, { 'dragnet.id': 'asc' }],
    _source_excludes: ['dragnet.enrichment_result'],
  });
  const hit = result.hits.hits[0];
  if (!hit) throw new Error('the index has no documents yet');
  console.log(JSON.stringify(hit._source, null, 2));
}
