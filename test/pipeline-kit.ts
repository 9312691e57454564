import { createHash, randomBytes } from 'node:crypto';
import { mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { splitFeedFile } from '@dragnet/cli';
import { CONSUMER_GROUPS, INDEX, NAMESPACE, TOPICS } from '@dragnet/contracts';
import { DEFAULT_GRANULARITY_MS, type MergeState, mergeReport, stateToDocument } from '@dragnet/document';
import { deleteIndicatorIndex, ensureIndicatorIndex } from '@dragnet/elasticsearch';
import { generateIndicators, toCsvLine } from '@dragnet/feedgen';
import { type IndicatorReport, parseFeedMessage } from '@dragnet/indicators';
import { createBatchProducer, deleteTopics, ensureTopics } from '@dragnet/kafka';
import { loadRegistry, type PartnerRegistry, planTopics } from '@dragnet/partners';
import {
  type TestElasticsearch as Client,
  eventually,
  type TestKafka as Kafka,
  readTopic,
  type ServiceProcess,
  startService,
} from '@dragnet/test-kit';
import { expect } from 'vitest';

export const registry: PartnerRegistry = loadRegistry();
export const SERVICES = ['normalizer', 'deduplicator', 'indexer'] as const;
export type ServiceName = (typeof SERVICES)[number] | 'enricher';

export function serviceEnv(extra: Record<string, string> = {}): Record<string, string> {
  return {
    DRAGNET_NAMESPACE: NAMESPACE,
    ENRICHMENT_ENABLED: 'false',
    SHUTDOWN_TIMEOUT_MS: '15000',
    ...extra,
  };
}

export async function createPipelineResources(kafka: Kafka, elasticsearch: Client): Promise<void> {
  await ensureTopics(
    kafka,
    planTopics(registry, 3).map((topic) => ({ ...topic })),
  );
  await ensureIndicatorIndex(elasticsearch);
}

export async function dropPipelineResources(kafka: Kafka, elasticsearch: Client): Promise<void> {
  await deleteTopics(
    kafka,
    planTopics(registry, 3).map((topic) => topic.topic),
  ).catch(() => undefined);
  const admin = kafka.admin();
  await admin.connect();
  await admin.deleteGroups(Object.values(CONSUMER_GROUPS)).catch(() => undefined);
  await admin.disconnect();
  await deleteIndicatorIndex(elasticsearch, INDEX).catch(() => undefined);
}

export class Pipeline {
  readonly processes: ServiceProcess[] = [];
  constructor(private readonly env: Record<string, string> = serviceEnv()) {}

  start(name: ServiceName, instance = 0): ServiceProcess {
    const process = startService(name, this.env, instance);
    this.processes.push(process);
    return process;
  }

  startAll(instances = 1): void {
    for (const name of SERVICES) for (let i = 0; i < instances; i++) this.start(name, i);
  }

  running(name: ServiceName): ServiceProcess[] {
    return this.processes.filter(
      (process) =>
        process.name === name && process.child.exitCode === null && process.child.signalCode === null,
    );
  }

  async stopAll(): Promise<void> {
    await Promise.all(this.processes.map((process) => process.kill('SIGTERM')));
  }
}

/** Pushes a feed file to a partner's topic the way `dragnet feed push` does. */
export async function pushFile(
  kafka: Kafka,
  partnerId: string,
  file: string,
  linesPerMessage = 2_000,
): Promise<number> {
  const partner = registry.byId.get(partnerId);
  if (!partner) throw new Error(`unknown partner ${partnerId}`);
  const producer = await createBatchProducer(kafka);
  const messages = splitFeedFile(readFileSync(file), partner.format, linesPerMessage);
  await producer.send(messages.map((value) => ({ topic: partner.topic, key: null, value })));
  await producer.disconnect();
  return messages.length;
}

export async function pushMessages(
  kafka: Kafka,
  partnerId: string,
  values: (string | Buffer)[],
): Promise<void> {
  const partner = registry.byId.get(partnerId)!;
  const producer = await createBatchProducer(kafka);
  await producer.send(
    values.map((value) => ({
      topic: partner.topic,
      key: null,
      value: typeof value === 'string' ? Buffer.from(value) : value,
    })),
  );
  await producer.disconnect();
}

/**
 * What the index must contain, computed without the pipeline: every message
 * on the partner topics (with its real broker timestamp) parsed and folded
 * with the pure merge. The end-to-end tests compare the pipeline's output to it.
 */
export async function expectedStates(kafka: Kafka, partnerIds: string[]): Promise<Map<string, MergeState>> {
  const states = new Map<string, MergeState>();
  const admin = kafka.admin();
  await admin.connect();
  for (const partnerId of partnerIds) {
    const partner = registry.byId.get(partnerId)!;
    const offsets = await admin.fetchTopicOffsets(partner.topic);
    const total = offsets.reduce((sum, entry) => sum + Number(entry.high) - Number(entry.low), 0);
    const records = await readTopic(kafka, partner.topic, total, 60_000);
    for (const record of records) {
      const result = parseFeedMessage(record.value!, partner.format, {
        provider: partner.id,
        feedName: partner.feedName,
        defaultTlp: partner.defaultTlp,
        topic: record.topic,
        partition: record.partition,
        offset: record.offset,
        receivedAt: record.timestamp,
      });
      for (const report of result.indicators) fold(states, report, partner.defaultTlp);
    }
  }
  await admin.disconnect();
  return states;
}

function fold(
  states: Map<string, MergeState>,
  report: IndicatorReport,
  defaultTlp: IndicatorReport['tlp'] & string,
): void {
  const next = mergeReport(states.get(report.id) ?? null, report, {
    granularityMs: DEFAULT_GRANULARITY_MS,
    defaultTlp,
  });
  states.set(report.id, next.state);
}

/** The parts of an indexed document the tests read. */
export interface IndicatorSource {
  dragnet: {
    id: string;
    kind: string;
    value: string;
    tlp: string;
    sources: { provider: string }[];
    [field: string]: unknown;
  };
  threat: {
    indicator: {
      first_seen: string;
      last_seen: string;
      provider: string[];
      marking: { tlp: string };
      [field: string]: unknown;
    };
  };
  tags?: string[];
  event?: Record<string, unknown>;
  [field: string]: unknown;
}

export interface IndexedDocument {
  id: string;
  version: number;
  source: IndicatorSource;
}

/** Every document in the index (search_after paging, sorted by id). */
export async function indexedDocuments(client: Client): Promise<Map<string, IndexedDocument>> {
  await client.indices.refresh({ index: INDEX.alias });
  const documents = new Map<string, IndexedDocument>();
  let after: (string | number)[] | undefined;
  for (;;) {
    const page = await client.search<IndicatorSource>({
      index: INDEX.alias,
      size: 5_000,
      version: true,
      sort: [{ 'dragnet.id': 'asc' }],
      query: { match_all: {} },
      ...(after ? { search_after: after } : {}),
    });
    for (const hit of page.hits.hits)
      documents.set(hit._id!, { id: hit._id!, version: hit._version ?? 0, source: hit._source! });
    if (page.hits.hits.length < 5_000) break;
    after = page.hits.hits.at(-1)!.sort as (string | number)[];
  }
  return documents;
}

export async function waitForCount(client: Client, expected: number, timeoutMs = 180_000): Promise<void> {
  await eventually(
    async () => {
      await client.indices.refresh({ index: INDEX.alias });
      return (await client.count({ index: INDEX.alias })).count;
    },
    (count) => count === expected,
    { timeoutMs, intervalMs: 1_000, what: `${expected} indexed documents` },
  );
}

/** Waits until every stage's consumer group has consumed everything on its topics. */
export async function waitForIdle(kafka: Kafka, partnerIds: string[], timeoutMs = 180_000): Promise<void> {
  const groups: [string, string[]][] = [
    [CONSUMER_GROUPS.normalizer, partnerIds.map((id) => registry.byId.get(id)!.topic)],
    [CONSUMER_GROUPS.deduplicator, [TOPICS.mergeInput]],
    [CONSUMER_GROUPS.indexer, [TOPICS.changes]],
  ];
  const admin = kafka.admin();
  await admin.connect();
  try {
    await eventually(
      async () => {
        const behind: Record<string, number> = {};
        for (const [groupId, topics] of groups) {
          const committed = await admin.fetchOffsets({ groupId, topics });
          for (const { topic, partitions } of committed) {
            const highs = await admin.fetchTopicOffsets(topic);
            for (const high of highs) {
              const offset = partitions.find((entry) => entry.partition === high.partition)?.offset ?? '-1';
              const done = BigInt(offset) < 0n ? BigInt(high.low) : BigInt(offset);
              const lag = Number(BigInt(high.high) - done);
              if (lag > 0) behind[`${groupId}@${topic}/${high.partition}`] = lag;
            }
          }
        }
        return behind;
      },
      (behind) => Object.keys(behind).length === 0,
      { timeoutMs, intervalMs: 1_000, what: 'all consumer groups to catch up' },
    );
  } finally {
    await admin.disconnect();
  }
}

/** The parts of a document that must match the expected merge (no write times, revisions or scores). */
export function comparableDocument(source: IndicatorSource) {
  return {
    id: source.dragnet.id,
    kind: source.dragnet.kind,
    value: source.dragnet.value,
    tlp: source.dragnet.tlp,
    sources: source.dragnet.sources,
    firstSeen: source.threat.indicator.first_seen,
    lastSeen: source.threat.indicator.last_seen,
    providers: source.threat.indicator.provider,
    tags: source.tags,
  };
}

// biome-ignore lint/suspicious/noExplicitAny: tests read arbitrary document fields.
export type AnyDocument = Record<string, any>;

/** The indexed document of `value` once `ready` holds for it (refreshing the index while waiting). */
export async function indexedDocument(
  elasticsearch: Client,
  value: string,
  ready: (document: AnyDocument) => boolean,
  what: string,
  timeoutMs = 120_000,
): Promise<AnyDocument> {
  return (await eventually(
    async () => {
      await elasticsearch.indices.refresh({ index: INDEX.alias });
      const found = await elasticsearch.search<AnyDocument>({
        index: INDEX.alias,
        query: { term: { 'dragnet.value': value } },
      });
      return found.hits.hits[0]?._source;
    },
    (source) => source !== undefined && ready(source),
    { what: `${what} (${value})`, timeoutMs },
  )) as AnyDocument;
}

/** The synthetic partners of the fault tests (CSV, defaults green/amber/green). */
export const SYNTHETIC_PARTNERS = ['synthetic-a', 'synthetic-b', 'synthetic-c'];

/** Pushes a generated feed (30% duplicates across three partners) in many small messages. */
export async function pushGenerated(kafka: Kafka, count: number, seed: number): Promise<void> {
  const dir = mkdtempSync(join(tmpdir(), 'dragnet-faults-'));
  const items = [...generateIndicators({ count, duplicateRatio: 0.3, seed, partners: SYNTHETIC_PARTNERS })];
  for (const partner of SYNTHETIC_PARTNERS) {
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

/** The comparable form of the document a merge state must be indexed as (score fields aside). */
export function expectedDocument(state: MergeState) {
  return comparableDocument(
    JSON.parse(
      JSON.stringify(
        stateToDocument(state, {
          now: 0,
          scoring: { score: 0, baseScore: 0, expired: false, expiresAt: null },
        }),
      ),
    ),
  );
}

export interface ExactOutcome {
  /** Distinct indicators a pure fold of every partner message gives. */
  expected: number;
  /** Expected indicators missing from the index, or indexed with other content. */
  lost: number;
  /** Indexed documents no partner message accounts for. */
  unexpected: number;
}

/**
 * The index holds exactly the documents a pure fold of everything on the
 * partners' topics gives (nothing missing, nothing different, nothing else).
 * Returns the counts for reports.
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
    const want = expectedDocument(state);
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

/** `assertExactFor` the synthetic partners of the fault tests. */
export async function assertExact(kafka: Kafka, elasticsearch: Client): Promise<ExactOutcome> {
  return assertExactFor(kafka, elasticsearch, SYNTHETIC_PARTNERS);
}

/** The lookup API's base URL, from its "listening" log line (it binds port 0). */
export async function apiBaseUrl(api: ServiceProcess): Promise<string> {
  const port = await eventually(
    async () => {
      const lines = readFileSync(api.logFile, 'utf8').split('\n');
      const listening = lines.find((line) => line.includes('"lookup API listening"'));
      return listening ? (JSON.parse(listening) as { port: number }).port : undefined;
    },
    (found) => found !== undefined,
    // Generous: a service compiles its TypeScript at start, slow on a loaded machine.
    { timeoutMs: 240_000, what: 'the API to listen' },
  );
  return `http://127.0.0.1:${port}`;
}

/** A lookup API process on a free port with one fresh RED key; `key` is its secret. */
export async function startLookupApi(
  extra: Record<string, string> = {},
): Promise<{ api: ServiceProcess; base: string; key: string }> {
  const key = `dgn_${randomBytes(32).toString('base64url')}`;
  const keysFile = join(mkdtempSync(join(tmpdir(), 'dragnet-keys-')), 'api-keys.json');
  const sha256 = createHash('sha256').update(key, 'utf8').digest('hex');
  writeFileSync(keysFile, JSON.stringify([{ id: 'pipeline-kit', sha256, max_tlp: 'red' }]));
  const api = startService(
    'api',
    serviceEnv({ API_PORT: '0', API_HOST: '127.0.0.1', API_KEYS_FILE: keysFile, ...extra }),
  );
  return { api, base: await apiBaseUrl(api), key };
}
