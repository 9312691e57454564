import { type ElasticsearchClient, elasticsearchDriver } from './driver.js';

export interface VersionedDocument {
  id: string;
  /** Monotonic per document; Elasticsearch keeps the highest (external versioning). */
  version: number;
  document: Record<string, unknown>;
}

export interface BulkFailure<T> {
  item: T;
  status: number;
  /** Elasticsearch's error type and reason, e.g. `mapper_parsing_exception: failed to parse field …`. */
  reason: string;
}

export interface BulkOutcome<T> {
  written: number;
  /**
   * Refused as a version conflict (409): the index holds this revision or a
   * newer one. Usually obsolete, but the caller decides: a refused document
   * may carry content the indexed one lacks (its writer's state was behind).
   */
  conflicts: T[];
  /** Rejected for good (mapping errors and other 4xx): dead-letter these. */
  rejected: BulkFailure<T>[];
  /** Still 429/5xx after every retry: the caller must not commit (infrastructure fault). */
  unavailable: BulkFailure<T>[];
}

export interface BulkWriterOptions {
  index: string;
  /** Attempts for items answered 429 or 5xx, including the first (default 6). */
  maxAttempts?: number;
  /** First backoff; doubles each attempt with full jitter (default 200 ms). */
  initialBackoffMs?: number;
  maxBackoffMs?: number;
  /** Bytes per bulk request (default 5 MiB). */
  flushBytes?: number;
  /** Bulk requests in flight at once (default 2: the local node has 2 cores). */
  concurrency?: number;
  refresh?: boolean;
}

const sleep = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));
const isRetryable = (status: number) => status === 429 || status >= 500;

/**
 * Writes documents with the client's bulk helper, `_id` = indicator id and
 * external versioning so a stale write never overwrites a newer one. Only
 * items answered 429/5xx are retried, with exponential backoff and jitter;
 * version conflicts are returned to the caller; every other failure is
 * returned for the dead-letter topic.
 */
export async function writeVersioned<T extends VersionedDocument>(
  client: ElasticsearchClient,
  items: T[],
  options: BulkWriterOptions,
): Promise<BulkOutcome<T>> {
  if (new Set(items.map((item) => item.id)).size !== items.length)
    throw new Error('writeVersioned: ids must be unique per call');
  const outcome: BulkOutcome<T> = { written: 0, conflicts: [], rejected: [], unavailable: [] };
  const maxAttempts = options.maxAttempts ?? 6;
  const initialBackoff = options.initialBackoffMs ?? 200;
  const maxBackoff = options.maxBackoffMs ?? 10_000;
  let pending = items;
  for (let attempt = 1; pending.length > 0; attempt++) {
    const retry: BulkFailure<T>[] = [];
    // The helper hands back a re-parsed copy of a dropped item; its action line's _id finds ours
    // (ids are unique within a call: callers keep one version per id).
    const itemById = new Map<string, T>(pending.map((item) => [item.id, item]));
    const stats = await elasticsearchDriver(client).helpers.bulk<T>({
      datasource: pending,
      onDocument: (item) => [
        { index: { _index: options.index, _id: item.id, version: item.version, version_type: 'external' } },
        item.document,
      ],
      onDrop: (dropped) => {
        const reason = dropped.error
          ? `${dropped.error.type ?? 'error'}: ${dropped.error.reason ?? ''}`.trim()
          : `status ${dropped.status}`;
        const action = dropped.operation as { index?: { _id?: string } };
        const item = itemById.get(action.index?._id ?? '');
        if (!item)
          throw new Error(`bulk helper dropped a document that was not sent (${JSON.stringify(action)})`);
        const failure: BulkFailure<T> = { item, status: dropped.status, reason };
        if (dropped.status === 409) outcome.conflicts.push(item);
        else if (isRetryable(dropped.status)) retry.push(failure);
        else outcome.rejected.push(failure);
      },
      // The helper's own 429 retries are disabled so that every retry follows one policy (ours).
      retries: 0,
      flushBytes: options.flushBytes ?? 5_242_880,
      concurrency: options.concurrency ?? 2,
      refreshOnCompletion: options.refresh ?? false,
    });
    outcome.written += stats.successful;
    if (retry.length === 0) break;
    if (attempt >= maxAttempts) {
      outcome.unavailable.push(...retry);
      break;
    }
    const ceiling = Math.min(maxBackoff, initialBackoff * 2 ** (attempt - 1));
    await sleep(Math.random() * ceiling);
    pending = retry.map((failure) => failure.item);
  }
  return outcome;
}
