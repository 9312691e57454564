import type { ReconcileRecord } from '@dragnet/contracts';
import { documentToState, joinStates, sameContent } from '@dragnet/document';
import type { VersionedDocument } from '@dragnet/elasticsearch';
import type { ConsumedRecord } from '@dragnet/kafka';

export interface ChangeItem extends VersionedDocument {
  record: ConsumedRecord;
}

export interface PreparedBatch {
  items: ChangeItem[];
  /** Records superseded by a later revision of the same indicator in the same batch. */
  superseded: number;
  /**
   * Superseded documents with content the kept (highest) one lacks: their
   * writer's state was behind. Not writing them must not lose that content,
   * so they are checked like refused ones (`resolveConflicts`).
   */
  supersededWithNewContent: ChangeItem[];
  invalid: { record: ConsumedRecord; message: string }[];
}

/**
 * The indexer's pure core: parses change records and keeps, per indicator,
 * only the highest revision in the batch, so a burst of changes to one
 * indicator costs one write.
 */
export function prepareBatch(records: ConsumedRecord[]): PreparedBatch {
  const latest = new Map<string, ChangeItem>();
  const invalid: PreparedBatch['invalid'] = [];
  let superseded = 0;
  const dropped = new Map<string, ChangeItem[]>();
  for (const record of records) {
    let document: Record<string, unknown> & { dragnet?: { id?: unknown; revision?: unknown } };
    try {
      document = JSON.parse(record.value?.toString('utf8') ?? '');
    } catch (error) {
      invalid.push({ record, message: `change record is not JSON: ${(error as Error).message}` });
      continue;
    }
    const id = document?.dragnet?.id;
    const revision = document?.dragnet?.revision;
    if (
      typeof id !== 'string' ||
      typeof revision !== 'number' ||
      !Number.isSafeInteger(revision) ||
      revision < 1
    ) {
      invalid.push({
        record,
        message: 'change record lacks dragnet.id or a positive integer dragnet.revision',
      });
      continue;
    }
    const item: ChangeItem = { id, version: revision, document, record };
    const previous = latest.get(id);
    if (previous) {
      superseded++;
      const losers = dropped.get(id) ?? [];
      dropped.set(id, losers);
      losers.push(previous.version >= revision ? item : previous);
      if (previous.version >= revision) continue;
    }
    latest.set(id, item);
  }
  const supersededWithNewContent: ChangeItem[] = [];
  for (const [id, losers] of dropped) {
    const kept = documentToState(latest.get(id)!.document);
    for (const loser of losers)
      if (!sameContent(kept, joinStates(kept, documentToState(loser.document))))
        supersededWithNewContent.push(loser);
  }
  return { items: [...latest.values()], superseded, supersededWithNewContent, invalid };
}

export interface ConflictResolution {
  /** Refused documents whose content the index already holds: obsolete, nothing to do. */
  stale: number;
  /** Refused documents with content the index lacks: to be joined back by the deduplicator. */
  reconcile: ReconcileRecord[];
}

/**
 * The indexer's second pure step: a document Elasticsearch refused as a
 * version conflict is obsolete only if the indexed document already holds
 * everything it says. Otherwise its writer's state was behind (lost cache
 * writes, an expired state, a second owner) and dropping it would lose a
 * partner's statement: the deduplicator gets both documents to join.
 */
export function resolveConflicts(
  conflicts: ChangeItem[],
  indexed: Map<string, Record<string, unknown>>,
): ConflictResolution {
  const reconcile: ReconcileRecord[] = [];
  let stale = 0;
  for (const item of conflicts) {
    const current = indexed.get(item.id);
    if (current) {
      const held = documentToState(current);
      if (sameContent(held, joinStates(held, documentToState(item.document)))) {
        stale++;
        continue;
      }
    }
    reconcile.push({ id: item.id, documents: current ? [current, item.document] : [item.document] });
  }
  return { stale, reconcile };
}
