import { AUDIT_INDEX, INDEX } from '@dragnet/contracts';
import type { estypes } from '@elastic/elasticsearch';
import { type ElasticsearchClient, elasticsearchDriver } from './driver.js';
import { deleteVersionedIndex, ensureVersionedIndex, type IndexNames } from './index-setup.js';

const keyword = { type: 'keyword', ignore_above: 1024 } as const;
const count = { type: 'integer' } as const;

/**
 * The audit index mapping: one document per API request (see docs/api.md#audit-trail).
 * `dynamic: strict`, so a record with a field this mapping does not know is
 * refused rather than indexed unsearchable.
 */
export const AUDIT_MAPPINGS = {
  dynamic: 'strict',
  date_detection: false,
  properties: {
    '@timestamp': { type: 'date' },
    request_id: keyword,
    route: keyword,
    status: { type: 'short' },
    /** The error code of a refused request (`unauthorized`, `key_expired`, `rate_limited`, …). */
    error_code: keyword,
    client_address: { type: 'ip' },
    /** `valid`, `missing`, `unknown`, `expired` or `revoked`. */
    key_outcome: keyword,
    key_id: keyword,
    organisation: keyword,
    max_tlp: keyword,
    asked: {
      properties: {
        /** Observables in the request. */
        count,
        /** The observables as asked (each cut to a bounded length), at most a bounded number. */
        inputs: { type: 'keyword', ignore_above: 8191 },
        /** Canonical ids of the valid ones. */
        ids: keyword,
        /** True when `inputs` holds fewer than `count`. */
        truncated: { type: 'boolean' },
        /** `q` of a search or export. */
        query: { type: 'keyword', ignore_above: 8191 },
      },
    },
    answered: {
      properties: {
        /** Canonical ids the answer showed (the observable's own, or the network containing it). */
        matched: keyword,
        /** Canonical ids Dragnet has no document for. */
        unknown: keyword,
        /** Canonical ids with a document the key may not see: answered as unknown, known only here. */
        withheld: keyword,
        /** Inputs refused as not an observable. */
        invalid: { type: 'keyword', ignore_above: 8191 },
        matched_count: count,
        unknown_count: count,
        withheld_count: count,
        invalid_count: count,
        /** Search: total hits; export: indicators in the bundle. */
        total: { type: 'long' },
        /** Indicators in the page or bundle. */
        returned: count,
      },
    },
  },
} satisfies estypes.MappingTypeMapping;

export const DEFAULT_AUDIT_INDEX_NAMES: IndexNames = {
  alias: AUDIT_INDEX.alias,
  concrete: AUDIT_INDEX.concrete,
  pattern: AUDIT_INDEX.pattern,
  template: AUDIT_INDEX.template,
};

/** Template, versioned index and alias of the audit trail. Idempotent. */
export async function ensureAuditIndex(
  client: ElasticsearchClient,
  names: IndexNames = DEFAULT_AUDIT_INDEX_NAMES,
): Promise<void> {
  await ensureVersionedIndex(client, names, {
    priority: INDEX.templatePriority,
    template: { settings: { number_of_shards: 1 }, mappings: AUDIT_MAPPINGS },
  });
}

export const deleteAuditIndex = deleteVersionedIndex;

/** One audit record, serialised once by its writer (its size is what the writer's buffer counts). */
export interface SerializedAuditRecord {
  /** Unique per record: the document `_id`. */
  id: string;
  /** The document as JSON. */
  json: string;
}

/**
 * What became of each record of one append, in order: `created`; `exists`
 * when a document with its id is already there (it is left untouched — an
 * earlier attempt of the same append landed, as ids are unique per record);
 * `retry` for a refusal that may pass later (overload, unavailable shard, the
 * trail missing until `dragnet setup` makes it again); `refused` for one that
 * never will (the record does not fit the mapping).
 */
export type AppendOutcome = 'created' | 'exists' | 'retry' | 'refused';

/**
 * Appends records to the audit trail, never overwriting: every write is
 * `op_type: create` with the record's id, so no record can replace or be
 * replaced by another; `require_alias`, so a deleted trail is an error rather
 * than an auto-created index without this mapping. Throws when the request as
 * a whole fails (Elasticsearch unreachable).
 */
export async function appendAuditRecords(
  client: ElasticsearchClient,
  alias: string,
  records: readonly SerializedAuditRecord[],
): Promise<AppendOutcome[]> {
  if (records.length === 0) return [];
  const response = await elasticsearchDriver(client).bulk({
    require_alias: true,
    // The client passes string lines through as they are: each record is serialised once.
    operations: records.flatMap((record) => [
      { create: { _index: alias, _id: record.id } },
      record.json as unknown as Record<string, unknown>,
    ]),
  });
  return response.items.map((item) => {
    const result = item.create;
    if (!result?.error) return 'created';
    if (result.status === 409) return 'exists';
    return result.status === 404 || result.status === 429 || result.status >= 500 ? 'retry' : 'refused';
  });
}
