import { INDEX } from '@dragnet/contracts';
import type { Client } from '@elastic/elasticsearch';
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
 * Installs the index template, creates the versioned index and points the
 * alias at it (as the write index). Idempotent; safe for every service to call
 * at start and for tests with their own names.
 */
export async function ensureIndicatorIndex(
  client: Client,
  names: IndexNames = DEFAULT_INDEX_NAMES,
): Promise<void> {
  const template = indicatorIndexTemplate();
  await client.indices.putIndexTemplate({
    ...template,
    name: names.template,
    index_patterns: [names.pattern],
  });
  const exists = await client.indices.exists({ index: names.concrete });
  if (exists) {
    // New fields of an upgraded mapping reach the live index; an incompatible change fails here, loudly.
    await client.indices.putMapping({ index: names.concrete, ...template.template?.mappings });
  } else {
    try {
      await client.indices.create({
        index: names.concrete,
        aliases: { [names.alias]: { is_write_index: true } },
      });
    } catch (error) {
      // Another process created it between exists and create.
      if (!String((error as Error).message).includes('resource_already_exists_exception')) throw error;
    }
  }
  const aliasExists = await client.indices.existsAlias({ name: names.alias, index: names.concrete });
  if (!aliasExists) {
    await client.indices.updateAliases({
      actions: [{ add: { index: names.concrete, alias: names.alias, is_write_index: true } }],
    });
  }
}

export async function deleteIndicatorIndex(client: Client, names: IndexNames): Promise<void> {
  await client.indices.delete({ index: names.concrete, ignore_unavailable: true });
  await client.indices.deleteIndexTemplate({ name: names.template }, { ignore: [404] });
}

/** Indexing operations the index has seen: the replay test asserts it does not grow. */
export async function indexingCount(client: Client, index: string): Promise<number> {
  const stats = await client.indices.stats({ index, metric: 'indexing' });
  return stats._all.primaries?.indexing?.index_total ?? 0;
}

/** UUID of the index an alias points to: changes when the index is deleted and recreated. */
export async function concreteIndexUuid(client: Client, alias: string): Promise<string> {
  const settings = await client.indices.getSettings({ index: alias, name: 'index.uuid' });
  const [entry] = Object.values(settings);
  const uuid = entry?.settings?.index?.uuid;
  if (typeof uuid !== 'string') throw new Error(`cannot read the UUID of the index behind ${alias}`);
  return uuid;
}
