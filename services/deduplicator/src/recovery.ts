import { documentToState, type MergeState, STATE_SOURCE_FIELDS } from '@dragnet/document';
import { type ElasticsearchClient, getIndicators } from '@dragnet/elasticsearch';
import { InfrastructureError, type KafkaClient, waitForGroupOffsets } from '@dragnet/kafka';
import type { Logger } from '@dragnet/logger';

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
  client: ElasticsearchClient,
  index: string,
  ids: string[],
): Promise<Map<string, MergeState>> {
  const found = new Map<string, MergeState>();
  // Only what documentToState reads (fields.test.ts proves the state survives this filter).
  const stored = await getIndicators(client, index, ids, {
    realtime: true,
    sourceIncludes: STATE_SOURCE_FIELDS,
  });
  for (const { id, document } of stored) found.set(id, documentToState(document));
  return found;
}

export interface DrainSettings {
  kafka: KafkaClient;
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
  settings.logger.warn('merge cache was wiped: waiting for the indexer to drain before recovering state');
  const outcome = await waitForGroupOffsets(settings.kafka, {
    groupId: settings.indexerGroup,
    topic: settings.changesTopic,
    timeoutMs: settings.timeoutMs ?? 300_000,
    pollMs: settings.pollMs ?? 250,
    onPoll: async () => {
      if (settings.isStopping())
        throw new InfrastructureError('stopping while waiting for the indexer to drain');
      await settings.heartbeat();
    },
  });
  if (!outcome.reached)
    settings.logger.error(
      { partitionsBehind: outcome.partitionsBehind, waitedMs: outcome.waitedMs },
      'indexer did not drain in time (is it running?): recovering merge state from the index as it is',
    );
  await settings.refresh();
  settings.logger.info(
    { waitedMs: outcome.waitedMs },
    'indexer drained; recovering merge state from the index',
  );
}
