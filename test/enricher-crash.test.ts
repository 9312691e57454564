import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { INDEX } from '@dragnet/contracts';
import { generateIndicators, toCsvLine } from '@dragnet/feedgen';
import { eventually, requireStack, testElasticsearch, testKafka } from '@dragnet/test-kit';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import {
  createPipelineResources,
  dropPipelineResources,
  Pipeline,
  pushFile,
  serviceEnv,
} from './pipeline-kit.js';

const kafka = testKafka();
const elasticsearch = testElasticsearch();
// Small jobs and a short lock: a killed worker's job is taken over within seconds.
const pipeline = new Pipeline(
  serviceEnv({
    ENRICHMENT_ENABLED: 'true',
    ENRICHMENT_BATCH_SIZE: '50',
    ENRICHER_LOCK_MS: '4000',
    ENRICHER_CONCURRENCY: '1',
  }),
);
const COUNT = 4_000;

describe('kill -9 of an enricher in the middle of its work', () => {
  beforeAll(async () => {
    await requireStack();
    await createPipelineResources(kafka, elasticsearch);
  });
  afterAll(async () => {
    await pipeline.stopAll();
    await dropPipelineResources(kafka, elasticsearch);
    await elasticsearch.close();
  });

  it('leaves every indicator enriched exactly once in the index', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'dragnet-enricher-'));
    const items = [
      ...generateIndicators({ count: COUNT, duplicateRatio: 0, seed: 31, partners: ['synthetic-a'] }),
    ];
    writeFileSync(join(dir, 'feed.csv'), `${items.map(toCsvLine).join('\n')}\n`);
    pipeline.startAll();
    const victim = pipeline.start('enricher', 0);
    await pushFile(kafka, 'synthetic-a', join(dir, 'feed.csv'), 500);
    // Let it take jobs, then kill it without warning, and start a replacement.
    await eventually(
      async () => {
        await elasticsearch.indices.refresh({ index: INDEX.alias });
        return (
          await elasticsearch.count({
            index: INDEX.alias,
            query: { term: { 'dragnet.enriched': true } },
          })
        ).count;
      },
      (enriched) => enriched > 0,
      { what: 'the first enrichment results', timeoutMs: 120_000 },
    );
    expect(await victim.kill('SIGKILL')).toBe('SIGKILL');
    pipeline.start('enricher', 1);
    await eventually(
      async () => {
        await elasticsearch.indices.refresh({ index: INDEX.alias });
        const [all, enriched] = await Promise.all([
          elasticsearch.count({ index: INDEX.alias }),
          elasticsearch.count({
            index: INDEX.alias,
            query: { term: { 'dragnet.enriched': true } },
          }),
        ]);
        return { all: all.count, enriched: enriched.count };
      },
      (counts) => counts.all === COUNT && counts.enriched === COUNT,
      { what: `${COUNT} enriched documents`, timeoutMs: 180_000 },
    );
    // Exactly once: a re-run of a stalled job merged to the same state, so no document went
    // past revision 2 (1 = the report, 2 = its enrichment).
    const revisions = await elasticsearch.search({
      index: INDEX.alias,
      size: 0,
      aggs: {
        highest: { max: { field: 'dragnet.revision' } },
        lowest: { min: { field: 'dragnet.revision' } },
      },
    });
    const aggregations = revisions.aggregations as { highest: { value: number }; lowest: { value: number } };
    expect(aggregations.lowest.value).toBe(2);
    expect(aggregations.highest.value).toBe(2);
  });
});
