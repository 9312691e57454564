import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { CONTROL_COMMANDS, REDIS_KEYS } from '@dragnet/contracts';
import { requireStack, testElasticsearch, testKafka, testRedis } from '@dragnet/test-kit';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import {
  type AnyDocument,
  createPipelineResources,
  dropPipelineResources,
  indexedDocument,
  Pipeline,
  pushMessages,
  serviceEnv,
} from './pipeline-kit.js';

const kafka = testKafka();
const elasticsearch = testElasticsearch();
const redis = testRedis();
const warninglistDir = mkdtempSync(join(tmpdir(), 'dragnet-warninglists-'));
const writeList = (values: string[]) =>
  writeFileSync(
    join(warninglistDir, 'test-hosts.json'),
    JSON.stringify({
      name: 'Dragnet test hosts',
      version: 1,
      description: 'hosts listed by the maintenance test',
      type: 'hostname',
      list: values,
      matching_attributes: ['domain', 'hostname', 'url'],
    }),
  );
const env = {
  ENRICHMENT_ENABLED: 'true',
  MAINTENANCE_INTERVAL_MS: '2000',
  WARNINGLISTS_DIR: warninglistDir,
};
const pipeline = new Pipeline(serviceEnv(env));
const upgraded = new Pipeline(serviceEnv({ ...env, ENRICHMENT_EPOCH: '2' }));

const documentOf = (value: string, ready: (document: AnyDocument) => boolean, what: string) =>
  indexedDocument(elasticsearch, value, ready, what);

const stixIndicator = (id: string, pattern: string, validUntil: string | null) => ({
  type: 'indicator',
  spec_version: '2.1',
  id,
  created: new Date(Date.now() - 3_600_000).toISOString(),
  modified: new Date(Date.now() - 3_600_000).toISOString(),
  pattern,
  pattern_type: 'stix',
  valid_from: new Date(Date.now() - 3_600_000).toISOString(),
  confidence: 90,
  ...(validUntil ? { valid_until: validUntil } : {}),
});

describe('maintenance: expiry, re-enrichment on a version bump, warninglist reload', () => {
  beforeAll(async () => {
    await requireStack();
    writeList(['listed-before.example']);
    await createPipelineResources(kafka, elasticsearch);
    pipeline.startAll();
    pipeline.start('enricher');
  });
  afterAll(async () => {
    await pipeline.stopAll();
    await upgraded.stopAll();
    await dropPipelineResources(kafka, elasticsearch);
    await elasticsearch.close();
    redis.disconnect();
  });

  it('marks an indicator expired once its valid-until passes, without a new report', async () => {
    const validUntil = new Date(Date.now() + 30_000).toISOString();
    await pushMessages(kafka, 'unit42', [
      JSON.stringify({
        type: 'bundle',
        id: 'bundle--6b0c5f2e-3f1d-4d5e-9a7c-1b2c3d4e5f60',
        objects: [
          stixIndicator(
            'indicator--1d1bdb4c-7c4f-4c0e-8f43-9a0a2a6b1c01',
            "[ipv4-addr:value = '203.0.113.50']",
            validUntil,
          ),
          stixIndicator(
            'indicator--1d1bdb4c-7c4f-4c0e-8f43-9a0a2a6b1c02',
            "[domain-name:value = 'keep.example.com']",
            null,
          ),
        ],
      }),
    ]);
    const fresh = await documentOf(
      '203.0.113.50',
      (doc) => doc.dragnet.enriched === true,
      'enriched document',
    );
    expect(fresh.dragnet).toMatchObject({ expired: false, active: true });
    expect(Date.parse(fresh.dragnet.expires_at)).toBe(Date.parse(validUntil));
    const expired = await documentOf(
      '203.0.113.50',
      (doc) => doc.dragnet.expired === true,
      'expired document',
    );
    expect(expired.dragnet.active).toBe(false);
    expect(expired.dragnet.revision).toBeGreaterThan(fresh.dragnet.revision);
    expect(expired.dragnet.sources).toEqual(fresh.dragnet.sources);
    const kept = await documentOf('keep.example.com', () => true, 'document without a valid-until');
    expect(kept.dragnet).toMatchObject({ expired: false, active: true });
  });

  it('reloads warninglists on command: indicators enriched afterwards are checked against the new lists', async () => {
    await pushMessages(kafka, 'synthetic-a', [`listed-after.example,domain,${new Date().toISOString()}\n`]);
    const before = await documentOf(
      'listed-after.example',
      (doc) => doc.dragnet.enriched === true,
      'enriched',
    );
    expect(before.dragnet.warninglists).toEqual([]);
    writeList(['listed-before.example', 'listed-late.example']);
    expect(await redis.publish(REDIS_KEYS.control, CONTROL_COMMANDS.reloadWarninglists)).toBeGreaterThan(0);
    await new Promise((resolve) => setTimeout(resolve, 2_000));
    await pushMessages(kafka, 'synthetic-a', [
      `www.listed-late.example,domain,${new Date().toISOString()}\n`,
    ]);
    const after = await documentOf(
      'www.listed-late.example',
      (doc) => doc.dragnet.enriched === true,
      'enriched',
    );
    expect(after.dragnet.warninglists.map((hit: { name: string }) => hit.name)).toEqual([
      'Dragnet test hosts',
    ]);
  });

  it('re-enriches active indicators in the background after ENRICHMENT_EPOCH is raised, while new intake flows', async () => {
    await Promise.all(
      pipeline.processes
        .filter((process) => process.name === 'deduplicator' || process.name === 'enricher')
        .map((process) => process.kill('SIGTERM')),
    );
    upgraded.start('deduplicator');
    upgraded.start('enricher');
    await pushMessages(kafka, 'synthetic-a', [`198.51.100.24,ipv4,${new Date().toISOString()}\n`]);
    const epochOf = (doc: AnyDocument) => doc.dragnet.enrichment?.providers?.epoch;
    const newcomer = await documentOf('198.51.100.24', (doc) => epochOf(doc) === 2, 'new intake at epoch 2');
    expect(newcomer.dragnet.enriched).toBe(true);
    const old = await documentOf('keep.example.com', (doc) => epochOf(doc) === 2, 're-enriched at epoch 2');
    expect(old.dragnet.enrichment.versions).toContain('epoch@2');
    expect(old.dragnet.sources).toHaveLength(1);
    // Expired indicators are left alone: re-enriching what nobody sees would only cost.
    const expired = await documentOf('203.0.113.50', () => true, 'expired document');
    expect(epochOf(expired)).toBeUndefined();
  });
});
