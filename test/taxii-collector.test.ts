import { type ChildProcess, execFile, execFileSync, spawn } from 'node:child_process';
import { existsSync, mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
import { createServer } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { promisify } from 'node:util';
import { CONSUMER_GROUPS, INDEX, partnerTopic, REDIS_KEYS } from '@dragnet/contracts';
import { deleteIndicatorIndex, ensureIndicatorIndex } from '@dragnet/elasticsearch';
import { deleteTopics, ensureTopics } from '@dragnet/kafka';
import { loadRegistry, planTopics } from '@dragnet/partners';
import {
  eventually,
  REPO_ROOT,
  readTopic,
  type ServiceProcess,
  startService,
  testElasticsearch,
  testKafka,
  testRedis,
} from '@dragnet/test-kit';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { indexedDocuments, serviceEnv } from './pipeline-kit.js';
import { readDeadLetters } from './support/dead-letters.js';
import { opsPort } from './support/ops.js';

/**
 * The collector against a real third-party TAXII 2.1 server: OASIS
 * `medallion` (PyPI, memory backend) on loopback, serving its own sample
 * data (`taxii-collector.medallion-data.json` is medallion v3.0.0's
 * `medallion/test/data/default_data.json`, BSD-3-Clause) plus generated
 * indicators. The oracle is the data file itself: which ids medallion
 * serves, which values they carry; nothing of the collector or the parser.
 * medallion lives in a venv at the repository root, created when missing.
 */
const VENV = join(REPO_ROOT, '.venv-medallion');
const MEDALLION = join(VENV, 'bin', 'medallion');
const PARTNER = 'taxii-medallion';
const API_ROOT_PATH = 'trustgroup1';
const COLLECTION = '91a7b528-80eb-42ed-a74d-c6fbd5a26116';
const USER = 'dragnet';
const PASSWORD = 'collector-test-password';
/** medallion matches every object against every manifest entry per first page (quadratic): a few hundred keep a page under seconds. */
const BATCH_1 = 400;
const BATCH_2 = 200;
const UNSUPPORTED_EVERY = 150;
const unsupportedIn = (count: number) => Math.ceil(count / UNSUPPORTED_EVERY);

type StixObject = { id: string; type: string; [field: string]: unknown };
type ManifestEntry = { id: string; date_added: string; version: string; media_type: string };
interface Data {
  [root: string]: { collections?: { id: string; objects: StixObject[]; manifest: ManifestEntry[] }[] };
}

const work = mkdtempSync(join(tmpdir(), 'dragnet-taxii-collector-'));
const kafka = testKafka();
const elasticsearch = testElasticsearch();
const redis = testRedis();
const processes: ServiceProcess[] = [];
let medallion: ChildProcess | undefined;
let port = 0;

function ensureMedallion(): void {
  if (existsSync(MEDALLION)) return;
  execFileSync('python3', ['-m', 'venv', VENV], { stdio: 'inherit' });
  execFileSync(join(VENV, 'bin', 'pip'), ['install', '--quiet', 'medallion==3.0.0'], { stdio: 'inherit' });
}

async function freePort(): Promise<number> {
  const server = createServer();
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const { port: picked } = server.address() as { port: number };
  await new Promise((resolve) => server.close(resolve));
  return picked;
}

/** `count` domain indicators (and every 150th an unsupported network-traffic SCO), three per date added (ties). */
function generated(batch: string, count: number, startMs: number) {
  const objects: StixObject[] = [];
  const manifest: ManifestEntry[] = [];
  const add = (object: StixObject, index: number) => {
    const dateAdded = new Date(startMs + Math.floor(index / 3) * 1_000).toISOString().replace('Z', '000Z');
    // medallion versions an object without `modified`/`created` (an SCO) by its hidden `_date_added`.
    const versioned = object.modified === undefined;
    objects.push(versioned ? { ...object, _date_added: dateAdded } : object);
    manifest.push({
      id: object.id,
      date_added: dateAdded,
      version: versioned ? dateAdded : String(object.modified),
      media_type: 'application/stix+json;version=2.1',
    });
  };
  for (let index = 0; index < count; index++) {
    const uuid = `${batch.padStart(8, '0')}-0000-4000-8000-${String(index).padStart(12, '0')}`;
    if (index % UNSUPPORTED_EVERY === 0)
      add(
        { type: 'network-traffic', spec_version: '2.1', id: `network-traffic--${uuid}`, protocols: ['tcp'] },
        index,
      );
    add(
      {
        type: 'indicator',
        spec_version: '2.1',
        id: `indicator--${uuid}`,
        created: '2020-01-01T00:00:00.000Z',
        modified: '2020-01-01T00:00:00.000Z',
        valid_from: '2020-01-01T00:00:00.000Z',
        pattern_type: 'stix',
        pattern: `[domain-name:value = 'b${batch}-${index}.taxii-collector.example.com']`,
      },
      index,
    );
  }
  return { objects, manifest };
}

function writeData(batches: number): Data {
  const data = JSON.parse(
    readFileSync(join(import.meta.dirname, 'taxii-collector.medallion-data.json'), 'utf8'),
  ) as Data;
  const collection = data[API_ROOT_PATH]!.collections!.find((entry) => entry.id === COLLECTION)!;
  const extra = [generated('1', BATCH_1, Date.parse('2025-01-01T00:00:00Z'))];
  if (batches > 1) extra.push(generated('2', BATCH_2, Date.parse('2026-01-01T00:00:00Z')));
  if (batches > 2) extra.push(generated('3', BATCH_2, Date.parse('2026-06-01T00:00:00Z')));
  for (const batch of extra) {
    collection.objects.push(...batch.objects);
    collection.manifest.push(...batch.manifest);
  }
  writeFileSync(join(work, 'data.json'), JSON.stringify(data));
  return data;
}

async function startMedallion(pageSize: number): Promise<void> {
  const config = {
    backend: {
      module: 'medallion.backends.memory_backend',
      module_class: 'MemoryBackend',
      filename: join(work, 'data.json'),
    },
    users: { [USER]: PASSWORD },
    taxii: { max_page_size: pageSize },
  };
  writeFileSync(join(work, 'medallion.json'), JSON.stringify(config));
  medallion = spawn(
    MEDALLION,
    ['--host', '127.0.0.1', '--port', String(port), join(work, 'medallion.json')],
    {
      stdio: 'ignore',
    },
  );
  const auth = `Basic ${Buffer.from(`${USER}:${PASSWORD}`).toString('base64')}`;
  await eventually(
    () =>
      fetch(`http://127.0.0.1:${port}/${API_ROOT_PATH}/collections/`, {
        headers: { accept: 'application/taxii+json;version=2.1', authorization: auth },
      }).then((response) => response.status),
    (status) => status === 200,
    { timeoutMs: 30_000, what: 'medallion listening' },
  );
}

async function stopMedallion(): Promise<void> {
  const child = medallion;
  medallion = undefined;
  if (!child || child.exitCode !== null) return;
  const exited = new Promise((resolve) => child.once('exit', resolve));
  child.kill('SIGKILL');
  await exited;
}

function writeRegistry(pageLimit: number): string {
  const file = join(work, `partners-${pageLimit}.json`);
  writeFileSync(join(work, 'password'), `${PASSWORD}\n`);
  const partner = {
    id: PARTNER,
    name: 'medallion (OASIS TAXII 2.1 reference server)',
    feedName: 'medallion-sample',
    format: { type: 'stix' },
    defaultTlp: 'green',
    trust: 0.5,
    partitions: 1,
    taxii: {
      apiRoot: `http://127.0.0.1:${port}/${API_ROOT_PATH}/`,
      collectionId: COLLECTION,
      username: USER,
      passwordFile: join(work, 'password'),
      pollIntervalSeconds: 1,
      pageLimit,
    },
  };
  writeFileSync(file, JSON.stringify({ partners: [partner] }));
  return file;
}

/** What medallion serves of a collection: the latest version of each id (its default `match[version]=last`). */
function servedObjects(data: Data): Map<string, StixObject> {
  const collection = data[API_ROOT_PATH]!.collections!.find((entry) => entry.id === COLLECTION)!;
  const latest = new Map<string, { object: StixObject; version: string }>();
  for (const object of collection.objects) {
    const version = String(object.modified ?? object.created ?? '');
    const seen = latest.get(object.id);
    if (!seen || version > seen.version) latest.set(object.id, { object, version });
  }
  return new Map([...latest].map(([id, entry]) => [id, entry.object]));
}

/** Indexed values the served objects must give: the value of each indicator's single-comparison pattern. */
function expectedValues(served: Map<string, StixObject>): Set<string> {
  const values = new Set<string>();
  for (const object of served.values()) {
    if (object.type !== 'indicator') continue;
    const match = /^\[[a-z0-9-]+:(?:value|hashes\.'SHA-256') = '([^']+)'\]$/.exec(String(object.pattern));
    if (match) values.add(match[1]!);
  }
  return values;
}

const unsupportedIds = (served: Map<string, StixObject>) =>
  [...served.values()]
    .filter((object) => object.type === 'network-traffic')
    .map((object) => object.id)
    .sort();

async function storedPosition(): Promise<{ next: string | null; lastDateAdded: string | null } | null> {
  const text = await redis.get(`${REDIS_KEYS.taxiiPosition}${PARTNER}`);
  return text === null ? null : JSON.parse(text);
}

async function topicObjectIds(): Promise<string[]> {
  const topic = partnerTopic(PARTNER);
  const admin = kafka.admin();
  await admin.connect();
  const offsets = await admin.fetchTopicOffsets(topic);
  await admin.disconnect();
  const total = offsets.reduce((sum, entry) => sum + Number(entry.high) - Number(entry.low), 0);
  const records = await readTopic(kafka, topic, total, 60_000);
  return records.flatMap((record) =>
    (JSON.parse(record.value!.toString()) as { objects: StixObject[] }).objects.map((object) => object.id),
  );
}

async function waitForIndex(values: Set<string>) {
  return eventually(
    () => indexedDocuments(elasticsearch),
    (documents) => documents.size >= values.size,
    { timeoutMs: 180_000, intervalMs: 1_000, what: `${values.size} indexed documents` },
  );
}

function expectExactIndex(documents: Awaited<ReturnType<typeof indexedDocuments>>, values: Set<string>) {
  const indexed = [...documents.values()].map((document) => document.source.dragnet.value).sort();
  expect(indexed).toEqual([...values].sort());
  // One document per value, each reported by the TAXII partner alone.
  for (const document of documents.values())
    expect(document.source.dragnet.sources.map((source) => source.provider)).toEqual([PARTNER]);
}

async function unsupportedDeadLetters(): Promise<string[]> {
  const letters = (await readDeadLetters(kafka)).filter((letter) => letter.source.partner === PARTNER);
  return letters
    .flatMap((letter) => letter.rejects)
    .filter((reject) => reject.reason === 'unsupported_type')
    .map((reject) => /network-traffic--[0-9a-f-]+/.exec(reject.location ?? '')?.[0] ?? '?')
    .sort();
}

function startPipeline(partnersFile: string): ServiceProcess {
  const env = serviceEnv({
    PARTNERS_FILE: partnersFile,
    TAXII_RETRY_BASE_MS: '100',
    TAXII_RETRY_MAX_MS: '1000',
  });
  for (const name of ['normalizer', 'deduplicator', 'indexer']) processes.push(startService(name, env));
  const collector = startService('taxii-collector', env);
  processes.push(collector);
  return collector;
}

describe('taxii-collector against medallion', () => {
  beforeAll(async () => {
    ensureMedallion();
    port = await freePort();
    await ensureTopics(kafka, planTopics(loadRegistry(writeRegistry(1)), 3));
    await ensureIndicatorIndex(elasticsearch);
  }, 300_000);

  afterAll(async () => {
    await Promise.all(processes.map((process) => process.kill('SIGTERM')));
    await stopMedallion();
    const registry = loadRegistry(writeRegistry(1));
    await deleteTopics(
      kafka,
      planTopics(registry, 3).map((topic) => topic.topic),
    ).catch(() => undefined);
    const admin = kafka.admin();
    await admin.connect();
    await admin.deleteGroups(Object.values(CONSUMER_GROUPS)).catch(() => undefined);
    await admin.disconnect();
    await deleteIndicatorIndex(elasticsearch, INDEX).catch(() => undefined);
    await redis.del(`${REDIS_KEYS.taxiiPosition}${PARTNER}`);
    redis.disconnect();
    await elasticsearch.close();
  }, 120_000);

  it('collects every object medallion serves: indicators indexed, unsupported objects dead-lettered', async () => {
    const served = servedObjects(writeData(1));
    await startMedallion(100);
    const spawnedAt = Date.now();
    const collector = startPipeline(writeRegistry(100));
    const lastDateAdded = '2025-01-01T00:02:13.000000Z';
    const first = await eventually(storedPosition, (position) => position !== null, {
      timeoutMs: 60_000,
      intervalMs: 20,
      what: 'a first page',
    });
    const firstPageAt = Date.now();
    const position = await eventually(
      storedPosition,
      (at) => at?.next === null && at.lastDateAdded === lastDateAdded,
      {
        timeoutMs: 120_000,
        intervalMs: 20,
        what: 'the walk to reach the last date added',
      },
    );
    const walkedAt = Date.now();
    // Figures for the report: medallion's first page of a walk is its slow one (it matches objects against the manifest).
    console.log(
      `taxii-collector: ${served.size} objects from medallion (pages of 100): first page ${(firstPageAt - spawnedAt) / 1_000} s after spawning the collector, ` +
        `then ${Math.round((served.size - 100) / ((walkedAt - firstPageAt) / 1_000))} objects/s; whole walk ${Math.round(served.size / ((walkedAt - spawnedAt) / 1_000))} objects/s`,
    );
    expect(first).not.toBeNull();
    expect(position).toMatchObject({ next: null, lastDateAdded });

    const values = expectedValues(served);
    expect(values.size).toBe(BATCH_1 + 2); // the sample's file hash and URL, and the generated domains
    expectExactIndex(await waitForIndex(values), values);
    // Nothing crashed: every served object is on the partner topic exactly once.
    expect((await topicObjectIds()).sort()).toEqual([...served.keys()].sort());
    const unsupported = unsupportedIds(served);
    await eventually(unsupportedDeadLetters, (ids) => ids.length >= unsupported.length, {
      what: 'dead letters',
    });
    expect(await unsupportedDeadLetters()).toEqual(unsupported);

    const metrics = await fetch(`http://127.0.0.1:${await opsPort(collector)}/metrics`).then((response) =>
      response.text(),
    );
    expect(metrics).toMatch(
      new RegExp(`dragnet_taxii_objects_total\\{[^}]*partner="${PARTNER}"[^}]*\\} ${served.size}\\b`),
    );
    expect(metrics).toMatch(/dragnet_taxii_lag_seconds\{[^}]*partner="taxii-medallion"/);
  }, 300_000);

  it('medallion stopped mid-poll and restarted: nothing lost, nothing duplicated in the index', async () => {
    await Promise.all(processes.splice(0).map((process) => process.kill('SIGTERM')));
    await stopMedallion();
    const before = new Set(await topicObjectIds());
    const served = servedObjects(writeData(2));
    const newIds = [...served.keys()].filter((id) => !before.has(id));
    expect(newIds).toHaveLength(BATCH_2 + unsupportedIn(BATCH_2));
    // Small pages so the kill lands inside the walk.
    await startMedallion(5);
    const collector = startPipeline(writeRegistry(5));
    const inWalk = await eventually(
      storedPosition,
      (at) => at !== null && at.next !== null && (at.lastDateAdded ?? '') >= '2026-01-01',
      { timeoutMs: 120_000, intervalMs: 5, what: 'a position inside the second walk' },
    );
    await stopMedallion();
    expect(inWalk?.next).not.toBeNull();
    await new Promise((resolve) => setTimeout(resolve, 2_000));
    await startMedallion(5);

    const values = expectedValues(served);
    expect(values.size).toBe(BATCH_1 + BATCH_2 + 2);
    await eventually(
      storedPosition,
      (at) => at?.next === null && (at.lastDateAdded ?? '') >= '2026-01-01T00:01:06',
      {
        timeoutMs: 180_000,
        what: 'the second walk to end',
      },
    );
    expectExactIndex(await waitForIndex(values), values);
    const onTopic = await topicObjectIds();
    const afterRestart = onTopic.filter((id) => !before.has(id));
    // Every new object arrived; a re-read after the lost cursor is at most one page (5) plus its date-added ties (3).
    expect(new Set(afterRestart)).toEqual(new Set(newIds));
    expect(afterRestart.length - newIds.length).toBeLessThanOrEqual(5 + 3);
    const metrics = await fetch(`http://127.0.0.1:${await opsPort(collector)}/metrics`).then((response) =>
      response.text(),
    );
    // The outage was seen (connection refused), and the walk resumed from its stored position.
    expect(metrics).toMatch(/dragnet_taxii_errors_total\{[^}]*kind="network"[^}]*\} [1-9]/);
    // Each unsupported object is dead-lettered (again when its page was re-read, or replayed by the normalizer
    // after its restart: at-least-once), and nothing else is.
    expect([...new Set(await unsupportedDeadLetters())]).toEqual(unsupportedIds(served));
  }, 420_000);
  it('the collector killed mid-walk: `dragnet taxii poll --once` finishes it, nothing lost', async () => {
    await Promise.all(processes.splice(0).map((process) => process.kill('SIGTERM')));
    await stopMedallion();
    const before = new Set(await topicObjectIds());
    const served = servedObjects(writeData(3));
    const newIds = [...served.keys()].filter((id) => !before.has(id));
    expect(newIds).toHaveLength(BATCH_2 + unsupportedIn(BATCH_2));
    await startMedallion(5);
    const partners = writeRegistry(5);
    const collector = startPipeline(partners);
    await eventually(
      storedPosition,
      (at) => at !== null && at.next !== null && (at.lastDateAdded ?? '') >= '2026-06-01',
      { timeoutMs: 120_000, intervalMs: 5, what: 'a position inside the third walk' },
    );
    // A crash with medallion's cursor alive: resuming that cursor would skip the page that was in flight.
    await collector.kill('SIGKILL');

    const cli = (...args: string[]) =>
      promisify(execFile)(
        process.execPath,
        ['--import', 'tsx', join(REPO_ROOT, 'packages/cli/src/main.ts'), ...args],
        {
          cwd: REPO_ROOT,
          env: { ...process.env, ...serviceEnv({ PARTNERS_FILE: partners }) },
        },
      );
    const collections = await cli('taxii', 'collections', '--partner', PARTNER);
    expect(collections.stdout).toContain(
      `${COLLECTION}  read/write  "High Value Indicator Collection"  (collected)`,
    );
    const poll = await cli('taxii', 'poll', '--partner', PARTNER, '--once');
    expect(poll.stdout).toMatch(/^taxii poll taxii-medallion: \d+ objects in \d+ pages written to /);

    const values = expectedValues(served);
    expect(values.size).toBe(BATCH_1 + 2 * BATCH_2 + 2);
    expectExactIndex(await waitForIndex(values), values);
    const afterCrash = (await topicObjectIds()).filter((id) => !before.has(id));
    expect(new Set(afterCrash)).toEqual(new Set(newIds));
    expect(afterCrash.length - newIds.length).toBeLessThanOrEqual(5 + 3);
    expect(await storedPosition()).toMatchObject({
      next: null,
      lastDateAdded: '2026-06-01T00:01:06.000000Z',
    });
  }, 420_000);
});
