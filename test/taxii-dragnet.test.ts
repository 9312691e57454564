import { createHash, randomBytes } from 'node:crypto';
import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { AUDIT_INDEX, CONSUMER_GROUPS, INDEX, NAMESPACE, names, partnerTopic } from '@dragnet/contracts';
import { deleteIndicatorIndex, ensureIndicatorIndex } from '@dragnet/elasticsearch';
import { deleteTopics, ensureTopics } from '@dragnet/kafka';
import { loadRegistry, type PlannedTopic, planTopics } from '@dragnet/partners';
import {
  eventually,
  type ServiceProcess,
  startService,
  testElasticsearch,
  testKafka,
  testRedis,
} from '@dragnet/test-kit';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { serviceEnv } from './pipeline-kit.js';
import { freePort } from './support/private-redis.js';

/**
 * Dragnet → Dragnet: a second Dragnet (its own namespace: topics, groups,
 * index, Redis keys) collects from the first one's TAXII server with its
 * taxii-collector, and ends with exactly the first one's indicators. The
 * oracle is the first index itself (ids and values), read directly from
 * Elasticsearch; nothing of the TAXII server, the collector or the parser.
 */
const FIRST = names(NAMESPACE);
const SECOND = names(`${NAMESPACE}-peer`);
const ORIGIN = 'origin';
const PEER = 'dragnet-first';
/** The default collection: every key, TLP:GREEN and below. */
const COLLECTION = '2930155d-9569-4006-a177-462a441beb56';
const work = mkdtempSync(join(tmpdir(), 'dragnet-taxii-dragnet-'));
const kafka = testKafka();
const elasticsearch = testElasticsearch();
const redis = testRedis();
const processes: ServiceProcess[] = [];

const secret = `dgn_${randomBytes(32).toString('base64url')}`;
const KEY_ID = 'second-dragnet';

/** Indicators of four kinds, TLP:GREEN (the partner's default), a page-and-a-bit at the collector's page size. */
function originBundle() {
  const patterns: string[] = [];
  for (let index = 0; index < 20; index++)
    patterns.push(`[domain-name:value = 'd${index}.dragnet-peer.example']`);
  for (let index = 0; index < 15; index++) patterns.push(`[ipv4-addr:value = '198.51.100.${index + 1}']`);
  for (let index = 0; index < 15; index++)
    patterns.push(`[url:value = 'http://u${index}.dragnet-peer.example/path?q=${index}']`);
  for (let index = 0; index < 10; index++)
    patterns.push(
      `[file:hashes.'SHA-256' = '${createHash('sha256').update(`sample ${index}`).digest('hex')}']`,
    );
  const objects = patterns.map((pattern, index) => ({
    type: 'indicator',
    spec_version: '2.1',
    id: `indicator--7f3a1c2e-0000-4000-8000-${String(index).padStart(12, '0')}`,
    created: '2026-01-01T00:00:00.000Z',
    modified: '2026-01-01T00:00:00.000Z',
    valid_from: '2026-01-01T00:00:00.000Z',
    pattern_type: 'stix',
    pattern,
  }));
  return { type: 'bundle', id: 'bundle--7f3a1c2e-0000-4000-8000-000000000000', objects };
}

function writeRegistries(apiPort: number) {
  const partner = (id: string, extra: Record<string, unknown> = {}) => ({
    id,
    name: id,
    feedName: `${id}-feed`,
    format: { type: 'stix' },
    defaultTlp: 'green',
    trust: 0.5,
    partitions: 1,
    ...extra,
  });
  const first = join(work, 'first.json');
  writeFileSync(first, JSON.stringify({ partners: [partner(ORIGIN)] }));
  writeFileSync(join(work, 'key'), `${secret}\n`);
  const second = join(work, 'second.json');
  const taxii = {
    apiRoot: `http://127.0.0.1:${apiPort}/taxii2/dragnet/`,
    collectionId: COLLECTION,
    username: KEY_ID,
    passwordFile: join(work, 'key'),
    pollIntervalSeconds: 1,
    pageLimit: 25,
  };
  writeFileSync(second, JSON.stringify({ partners: [partner(PEER, { taxii })] }));
  const keys = join(work, 'keys.json');
  const sha256 = createHash('sha256').update(secret).digest('hex');
  writeFileSync(keys, JSON.stringify([{ id: KEY_ID, sha256, max_tlp: 'green' }]));
  return { first, second, keys };
}

/** The second namespace's topics: the same plan, under its own prefix. */
const secondTopics = (file: string): PlannedTopic[] =>
  planTopics(loadRegistry(file), 3).map((planned) => ({
    ...planned,
    topic: `${SECOND.namespace}.${planned.topic.slice(FIRST.namespace.length + 1)}`,
  }));

/** Every document of an index: id → value. */
async function idsAndValues(alias: string): Promise<Map<string, string>> {
  await elasticsearch.indices.refresh({ index: alias });
  const page = await elasticsearch.search<{ dragnet: { value: string } }>({
    index: alias,
    size: 10_000,
    _source: ['dragnet.value'],
    query: { match_all: {} },
  });
  return new Map(page.hits.hits.map((hit) => [hit._id!, hit._source!.dragnet.value]));
}

let files: ReturnType<typeof writeRegistries>;

describe('Dragnet → Dragnet over TAXII', () => {
  beforeAll(async () => {
    const apiPort = await freePort();
    files = writeRegistries(apiPort);
    await ensureTopics(kafka, planTopics(loadRegistry(files.first), 3));
    await ensureTopics(kafka, secondTopics(files.second));
    await ensureIndicatorIndex(elasticsearch);
    await ensureIndicatorIndex(elasticsearch, SECOND.index);
    const first = serviceEnv({
      PARTNERS_FILE: files.first,
      API_KEYS_FILE: files.keys,
      API_PORT: String(apiPort),
      API_HOST: '127.0.0.1',
      TAXII_SETTLE_MS: '1000',
    });
    for (const name of ['normalizer', 'deduplicator', 'indexer', 'api'])
      processes.push(startService(name, first));
    const second = serviceEnv({ DRAGNET_NAMESPACE: SECOND.namespace, PARTNERS_FILE: files.second });
    for (const name of ['normalizer', 'deduplicator', 'indexer', 'taxii-collector'])
      processes.push(startService(name, second));
  }, 300_000);

  afterAll(async () => {
    await Promise.all(processes.map((process) => process.kill('SIGTERM')));
    await deleteTopics(kafka, [
      ...planTopics(loadRegistry(files.first), 3).map((planned) => planned.topic),
      ...secondTopics(files.second).map((planned) => planned.topic),
    ]).catch(() => undefined);
    const admin = kafka.admin();
    await admin.connect();
    await admin
      .deleteGroups([...Object.values(CONSUMER_GROUPS), ...Object.values(SECOND.groups)])
      .catch(() => undefined);
    await admin.disconnect();
    await deleteIndicatorIndex(elasticsearch, INDEX).catch(() => undefined);
    await deleteIndicatorIndex(elasticsearch, SECOND.index).catch(() => undefined);
    await elasticsearch.indices.delete({ index: AUDIT_INDEX.pattern }).catch(() => undefined);
    await redis.del(`${SECOND.redisKeys.taxiiPosition}${PEER}`);
    redis.disconnect();
    await elasticsearch.close();
  }, 120_000);

  it('the second index ends with exactly the first one’s indicators, ids and values', async () => {
    const bundle = originBundle();
    const producer = kafka.producer();
    await producer.connect();
    await producer.send({ topic: partnerTopic(ORIGIN), messages: [{ value: JSON.stringify(bundle) }] });
    await producer.disconnect();

    const first = await eventually(
      () => idsAndValues(FIRST.index.alias),
      (documents) => documents.size >= bundle.objects.length,
      { timeoutMs: 180_000, intervalMs: 1_000, what: 'the first index' },
    );
    expect(first.size).toBe(bundle.objects.length);
    const second = await eventually(
      () => idsAndValues(SECOND.index.alias),
      (documents) => documents.size >= first.size,
      { timeoutMs: 240_000, intervalMs: 1_000, what: 'the second index to catch up' },
    );
    expect([...second].sort()).toEqual([...first].sort());
    // Every document of the second Dragnet was reported by the first one, seen as a partner.
    const providers = await elasticsearch.search<{ dragnet: { sources: { provider: string }[] } }>({
      index: SECOND.index.alias,
      size: 10_000,
      _source: ['dragnet.sources.provider'],
    });
    for (const hit of providers.hits.hits)
      expect(hit._source!.dragnet.sources.map((source) => source.provider)).toEqual([PEER]);
  }, 420_000);
});
