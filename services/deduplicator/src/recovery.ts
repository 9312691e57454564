import type { Client } from '@dragnet/elasticsearch';
import { consumerGroupLag, type Kafka } from '@dragnet/kafka';
import type { Logger } from '@dragnet/logger';
import { documentToState, type MergeState } from '@dragnet/merge';

/**
 * Reads states the cache does not have from the index, without real-time
 * gets: a real-time get of a document not yet refreshed makes Elasticsearch
 * refresh the shard, and on first ingest every indicator is a cache miss.
 * Searchable data is enough because a state is missing from the cache only
 * if it was lost (recovery drained the indexer and refreshed the index before
 * any read) or expired after its TTL (indexed and refreshed long before).
 */
export async function statesFromIndex(
  client: Client,
  index: string,
  ids: string[],
): Promise<Map<string, MergeState>> {
  const found = new Map<string, MergeState>();
  if (ids.length === 0) return found;
  const response = await client.mget<Record<string, unknown>>({
    index,
    ids,
    realtime: false,
    _source_excludes: ['event', 'threat', 'related', 'tags'],
  });
  for (const doc of response.docs) {
    if ('found' in doc && doc.found && doc._source) found.set(doc._id, documentToState(doc._source));
  }
  return found;
}

export interface DrainSettings {
  kafka: Kafka;
  indexerGroup: string;
  changesTopic: string;
  logger: Logger;
  pollMs?: number;
  isStopping(): boolean;
  heartbeat(): Promise<void>;
  /** Makes everything indexed so far searchable (state reads are not real-time). */
  refresh(): Promise<void>;
}

/**
 * After the cache was wiped, the index is the only copy of merge state, but
 * changes already emitted may not be indexed yet. Waiting until the indexer
 * has consumed everything on the changes topic up to now makes the index
 * exact before any state is read back from it.
 */
export async function waitForIndexerToDrain(settings: DrainSettings): Promise<void> {
  const started = Date.now();
  const kafkaAdmin = settings.kafka.admin();
  await kafkaAdmin.connect();
  try {
    const targets = await kafkaAdmin.fetchTopicOffsets(settings.changesTopic);
    settings.logger.warn(
      { partitions: targets.length },
      'merge cache was wiped: waiting for the indexer to drain before recovering state',
    );
    for (;;) {
      const lags = await consumerGroupLag(settings.kafka, settings.indexerGroup, [settings.changesTopic]);
      const behind = targets.filter((target) => {
        const committed = lags.find((lag) => lag.partition === target.partition)?.committed ?? '0';
        return BigInt(committed) < BigInt(target.high);
      });
      if (behind.length === 0) break;
      if (settings.isStopping()) throw new Error('stopping while waiting for the indexer to drain');
      await settings.heartbeat();
      await new Promise((resolve) => setTimeout(resolve, settings.pollMs ?? 250));
    }
    await settings.refresh();
    settings.logger.info(
      { waitedMs: Date.now() - started },
      'indexer drained; recovering merge state from the index',
    );
  } finally {
    await kafkaAdmin.disconnect();
  }
}
