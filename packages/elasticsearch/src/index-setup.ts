import { INDEX } from '@dragnet/contracts';
import type { estypes } from '@elastic/elasticsearch';
import { type ElasticsearchClient, elasticsearchDriver } from './driver.js';
import { indicatorIndexTemplate } from './mapping.js';

export interface IndexNames {
  alias: string;
  concrete: string;
  pattern: string;
  template: string;
}

export const DEFAULT_INDEX_NAMES: IndexNames = {
  alias: INDEX.alias,
  concrete: INDEX.concrete,
  pattern: INDEX.pattern,
  template: INDEX.template,
};

/**
 * Replicas of Dragnet's indices: one on any cluster of two nodes or more, none
 * on a single node (where a replica cannot be placed and would keep the index
 * yellow). Elasticsearch adjusts the count itself as nodes join and leave.
 * With one replica, losing a node holding primaries promotes the replicas:
 * no acknowledged write is lost and indexing goes on (docs/operations.md,
 * "Running a cluster"). Applied to existing indices too (a dynamic setting).
 */
export const REPLICA_SETTINGS = { auto_expand_replicas: '0-1' } as const;

function withReplicaSettings(
  template: Omit<estypes.IndicesPutIndexTemplateRequest, 'name' | 'index_patterns'>,
): Omit<estypes.IndicesPutIndexTemplateRequest, 'name' | 'index_patterns'> {
  const { number_of_replicas: _fixedCount, ...settings } = template.template?.settings ?? {};
  return { ...template, template: { ...template.template, settings: { ...settings, ...REPLICA_SETTINGS } } };
}

/**
 * Installs an index template, creates the versioned index and points the
 * alias at it (as the write index). Idempotent; safe for every process to
 * call at start (two racing creates are fine) and for tests with their own
 * names. An existing index gets the template's mapping, so new fields reach
 * live indices; an incompatible change fails here, loudly.
 */
export async function ensureVersionedIndex(
  client: ElasticsearchClient,
  names: IndexNames,
  wanted: Omit<estypes.IndicesPutIndexTemplateRequest, 'name' | 'index_patterns'>,
): Promise<void> {
  const template = withReplicaSettings(wanted);
  await elasticsearchDriver(client).indices.putIndexTemplate({
    ...template,
    name: names.template,
    index_patterns: [names.pattern],
  });
  if (await elasticsearchDriver(client).indices.exists({ index: names.concrete })) {
    await elasticsearchDriver(client).indices.putMapping({
      index: names.concrete,
      ...template.template?.mappings,
    });
    await applyReplicaSettings(client, names.concrete);
  } else {
    try {
      await elasticsearchDriver(client).indices.create({
        index: names.concrete,
        aliases: { [names.alias]: { is_write_index: true } },
      });
    } catch (error) {
      // Another process created it between exists and create.
      if (!String((error as Error).message).includes('resource_already_exists_exception')) throw error;
    }
  }
  if (!(await elasticsearchDriver(client).indices.existsAlias({ name: names.alias, index: names.concrete })))
    await elasticsearchDriver(client).indices.updateAliases({
      actions: [{ add: { index: names.concrete, alias: names.alias, is_write_index: true } }],
    });
}

/**
 * Brings an existing index to REPLICA_SETTINGS when it differs. Best effort for
 * an identity without `indices:admin/settings/update` (403): `dragnet setup`,
 * run as an operator, applies it.
 */
async function applyReplicaSettings(client: ElasticsearchClient, index: string): Promise<void> {
  const current = await elasticsearchDriver(client).indices.getSettings({
    index,
    name: 'index.auto_expand_replicas',
  });
  const value = Object.values(current)[0]?.settings?.index?.auto_expand_replicas;
  if (value === REPLICA_SETTINGS.auto_expand_replicas) return;
  try {
    await elasticsearchDriver(client).indices.putSettings({ index, settings: REPLICA_SETTINGS });
  } catch (error) {
    if ((error as { meta?: { statusCode?: number } }).meta?.statusCode !== 403) throw error;
  }
}

/** Template, versioned index and alias of the indicators. Idempotent. */
export async function ensureIndicatorIndex(
  client: ElasticsearchClient,
  names: IndexNames = DEFAULT_INDEX_NAMES,
): Promise<void> {
  await ensureVersionedIndex(client, names, indicatorIndexTemplate());
}

/** Removes a versioned index and its template (tests, `dragnet` resets). */
export async function deleteVersionedIndex(client: ElasticsearchClient, names: IndexNames): Promise<void> {
  await elasticsearchDriver(client).indices.delete({ index: names.concrete, ignore_unavailable: true });
  await elasticsearchDriver(client).indices.deleteIndexTemplate({ name: names.template }, { ignore: [404] });
}

export const deleteIndicatorIndex = deleteVersionedIndex;

/** Indexing operations the index has seen: the replay test asserts it does not grow. */
export async function indexingCount(client: ElasticsearchClient, index: string): Promise<number> {
  const stats = await elasticsearchDriver(client).indices.stats({ index, metric: 'indexing' });
  return stats._all.primaries?.indexing?.index_total ?? 0;
}

/** UUID of the index an alias points to: changes when the index is deleted and recreated. */
export async function concreteIndexUuid(client: ElasticsearchClient, alias: string): Promise<string> {
  const settings = await elasticsearchDriver(client).indices.getSettings({
    index: alias,
    name: 'index.uuid',
  });
  const [entry] = Object.values(settings);
  const uuid = entry?.settings?.index?.uuid;
  if (typeof uuid !== 'string') throw new Error(`cannot read the UUID of the index behind ${alias}`);
  return uuid;
}
