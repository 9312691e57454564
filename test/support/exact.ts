import type { Client } from '@dragnet/elasticsearch';
import type { Kafka } from '@dragnet/kafka';
import { stateToDocument } from '@dragnet/merge';
import { expect } from 'vitest';
import {
  comparableDocument,
  expectedStates,
  indexedDocuments,
  waitForCount,
  waitForIdle,
} from '../pipeline-kit.js';

export interface ExactOutcome {
  /** Distinct indicators a pure fold of every partner message gives. */
  expected: number;
  /** Expected indicators missing from the index, or indexed with other content. */
  lost: number;
  /** Indexed documents no partner message accounts for. */
  unexpected: number;
}

/**
 * `assertExact` for any partners (not only the synthetic ones): the index holds
 * exactly the documents a pure fold of everything on their topics gives.
 * Returns the counts for the report.
 */
export async function assertExactFor(
  kafka: Kafka,
  elasticsearch: Client,
  partnerIds: string[],
  timeoutMs = 240_000,
): Promise<ExactOutcome> {
  const expected = await expectedStates(kafka, partnerIds);
  await waitForIdle(kafka, partnerIds, timeoutMs);
  // Idle groups mean every batch was written; the count only waits for the refresh.
  await waitForCount(elasticsearch, expected.size, 20_000).catch(() => undefined);
  const documents = await indexedDocuments(elasticsearch);
  let lost = 0;
  const firstMismatches: { id: string; want: unknown; got: unknown }[] = [];
  for (const [id, state] of expected) {
    const want = comparableDocument(
      JSON.parse(
        JSON.stringify(
          stateToDocument(state, {
            now: 0,
            scoring: { score: 0, baseScore: 0, expired: false, expiresAt: null },
          }),
        ),
      ),
    );
    const got = documents.get(id);
    if (!got || JSON.stringify(comparableDocument(got.source)) !== JSON.stringify(want)) {
      lost++;
      if (firstMismatches.length < 3)
        firstMismatches.push({ id, want, got: got && comparableDocument(got.source) });
    }
  }
  const extra = [...documents.values()].filter((document) => !expected.has(document.id));
  const unexpected = extra.length;
  const outcome = { expected: expected.size, lost, unexpected };
  expect(firstMismatches, 'documents that differ from the pure fold').toEqual([]);
  expect(
    extra.slice(0, 5).map((document) => `${document.id} ${document.source.dragnet.value}`),
    'indexed documents no partner message accounts for',
  ).toEqual([]);
  expect(outcome).toEqual({ expected: expected.size, lost: 0, unexpected: 0 });
  return outcome;
}
