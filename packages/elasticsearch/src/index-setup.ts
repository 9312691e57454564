import { INDEX } from '@dragnet/contracts';
import type { Client, estypes } from '@elastic/elasticsearch';
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
 * Installs an index template, creates the versioned index and points the
 * alias at it (as the write index). Idempotent; safe for every process to
 * call at start (two racing creates are fine) and for tests with their own
 * names. An existing index gets the template's mapping, so new fields reach
 * live indices; an incompatible change fails here, loudly.
 */
export async function ensureVersionedIndex(
  client: Client,
  names: IndexNames,
  template: Omit<estypes.IndicesPutIndexTemplateRequest, 'name' | 'index_patterns'>,
): Promise<void> {
  await client.indices.putIndexTemplate({
    ...template,
    name: names.template,
    index_patterns: [names.pattern],
  });
  if (await client.indices.exists({ index: names.concrete })) {
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
  if (!(await client.indices.existsAlias({ name: names.alias, index: names.concrete })))
    await client.indices.updateAliases({
      actions: [{ add: { index: names.concrete, alias: names.alias, is_write_index: true } }],
    });
}

/** Template, versioned index and alias of the indicators. Idempotent. */
export async function ensureIndicatorIndex(
  client: Client,
  names: IndexNames = DEFAULT_INDEX_NAMES,
): Promise<void> {
  await ensureVersionedIndex(client, names, indicatorIndexTemplate());
}

/** Removes a versioned index and its template (tests, `dragnet` resets). */
export async function deleteVersionedIndex(client: Client, names: IndexNames): Promise<void> {
  await client.indices.delete({ index: names.concrete, ignore_unavailable: true });
  await client.indices.deleteIndexTemplate({ name: names.template }, { ignore: [404] });
}

export const deleteIndicatorIndex = deleteVersionedIndex;

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
