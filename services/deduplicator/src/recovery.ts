import type { Client } from '@dragnet/elasticsearch';
import { consumerGroupLag, InfrastructureError, type Kafka } from '@dragnet/kafka';
import type { Logger } from '@dragnet/logger';
import { documentToState, type MergeState } from '@dragnet/merge';

/**
 * Reads states the cache does not have from the index with real-time gets:
 * the latest version Elasticsearch holds, refreshed or not (a state can
 * expire or be evicted moments after its last version was indexed). On first
 * ingest the ids do not exist, and a real-time get of an id the shard has
 * not written recently costs no refresh. What the index does not have yet
 * (changes still on the changes topic) is repaired by the indexer's
 * reconcile path: a change built on an older state is refused as a version
 * conflict and joined back (docs/adr/0001-no-lost-update.md).
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
    realtime: true,
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
  /** Makes everything indexed so far searchable (for the searches that follow recovery). */
  refresh(): Promise<void>;
  /**
   * Gives up waiting after this long (default 5 min) and goes on: with the
   * indexer stopped the fleet would otherwise wait forever. Safe because a
   * change built on a state read before the indexer caught up is refused by
   * Elasticsearch and reconciled, never lost; draining first only avoids
   * that extra work.
   */
  timeoutMs?: number;
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
      if (settings.isStopping())
        throw new InfrastructureError('stopping while waiting for the indexer to drain');
      if (Date.now() - started > (settings.timeoutMs ?? 300_000)) {
        settings.logger.error(
          { partitionsBehind: behind.length, waitedMs: Date.now() - started },
          'indexer did not drain in time (is it running?): recovering merge state from the index as it is',
        );
        break;
      }
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
