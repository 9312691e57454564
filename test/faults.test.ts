import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { generateIndicators, toCsvLine } from '@dragnet/feedgen';
import { stateToDocument } from '@dragnet/merge';
import { requireStack, testElasticsearch, testKafka, testRedis } from '@dragnet/test-kit';
import { afterEach, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import {
  comparableDocument,
  createPipelineResources,
  dropPipelineResources,
  expectedStates,
  indexedDocuments,
  Pipeline,
  pushFile,
  type ServiceName,
  waitForCount,
  waitForIdle,
} from './pipeline-kit.js';

const kafka = testKafka();
const elasticsearch = testElasticsearch();
const PARTNERS = ['synthetic-a', 'synthetic-b', 'synthetic-c'];
const sleep = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));

/** Pushes a generated feed (30% duplicates across three partners) in many small messages. */
async function pushGenerated(count: number, seed: number): Promise<void> {
  const dir = mkdtempSync(join(tmpdir(), 'dragnet-faults-'));
  const items = [...generateIndicators({ count, duplicateRatio: 0.3, seed, partners: PARTNERS })];
  for (const partner of PARTNERS) {
    writeFileSync(
      join(dir, `${partner}.csv`),
      `${items
        .filter((item) => item.partner === partner)
        .map(toCsvLine)
        .join('\n')}\n`,
    );
    await pushFile(kafka, partner, join(dir, `${partner}.csv`), 200);
  }
}

async function assertExact(): Promise<void> {
  const expected = await expectedStates(kafka, PARTNERS);
  await waitForCount(elasticsearch, expected.size, 240_000);
  await waitForIdle(kafka, PARTNERS, 240_000);
  const documents = await indexedDocuments(elasticsearch);
  expect(documents.size).toBe(expected.size);
  let mismatches = 0;
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
      mismatches++;
      if (mismatches <= 3) expect(got && comparableDocument(got.source), id).toEqual(want);
    }
  }
  expect(mismatches).toBe(0);
}

describe('faults: crashes, cache loss and scale-out give the same documents as a clean run', () => {
  let pipeline: Pipeline;

  beforeAll(requireStack);
  beforeEach(async () => {
    await dropPipelineResources(kafka, elasticsearch);
    await createPipelineResources(kafka, elasticsearch);
    pipeline = new Pipeline();
  });
  afterEach(async () => {
    await pipeline.stopAll();
    await dropPipelineResources(kafka, elasticsearch);
  });

  it('kill -9 of each service mid-run loses nothing and double-counts nothing', async () => {
    await pushGenerated(20_000, 21);
    pipeline.startAll();
    for (const name of ['normalizer', 'deduplicator', 'indexer'] as ServiceName[]) {
      await sleep(4_000);
      const [victim] = pipeline.running(name);
      expect(victim, `${name} is running`).toBeDefined();
      expect(await victim!.kill('SIGKILL')).toBe('SIGKILL');
      pipeline.start(name, 1);
    }
    await assertExact();
  });

  it('FLUSHALL of Redis mid-run still ends with exact documents, recovered from the index', async () => {
    await pushGenerated(12_000, 22);
    pipeline.startAll();
    await sleep(6_000);
    const redis = testRedis();
    await redis.flushall();
    await pushGenerated(6_000, 23);
    await sleep(2_000);
    await redis.flushall();
    redis.disconnect();
    await assertExact();
  });

  it('two instances of each service give the same result as one', async () => {
    await pushGenerated(15_000, 24);
    pipeline.startAll(2);
    await assertExact();
    expect(pipeline.running('deduplicator')).toHaveLength(2);
  });
});
