/**
 * `pnpm bench:taxii`: the TAXII 2.1 server against a large index, in-process
 * on the local stack — the first page and deep pages of 1,000 objects
 * (p50/p99), and a full walk of a collection (objects/s). A benchmark, not a
 * test: it prints figures and writes them to bench-results/.
 *
 *   pnpm bench:taxii [--size 1000000] [--samples 50] [--keep] [--reuse] [--medallion N]
 *
 * Documents are added 1,000 to a millisecond (ties on date added are the hard
 * case for a cursor). `--keep` leaves the index (`dragnet-bench-taxii`)
 * behind; `--reuse` then skips loading when it already holds `--size`.
 * `--medallion N` also walks OASIS medallion serving N indicators on the
 * same machine (taxii-medallion.ts) and prints the objects/s ratio.
 */
import { Agent, request } from 'node:http';
import { setImmediate as yieldToLoop } from 'node:timers/promises';
import { parseArgs } from 'node:util';
import { ApiKeyRing, createApiKey, parseTaxiiConfiguration, RateLimiter, startApiServer } from '@dragnet/api';
import {
  deleteIndicatorIndex,
  ensureIndicatorIndex,
  type IndexNames,
  writeVersioned,
} from '@dragnet/elasticsearch';
import type { Tlp } from '@dragnet/indicators';
import {
  indicatorDocument,
  requireStack,
  testElasticsearch,
  testKeyStore,
  testLogger,
} from '@dragnet/test-kit';
import { Registry } from 'prom-client';
import { log, machine, percentile, progress, rate, writeResult } from './report.js';
import { walkMedallion } from './taxii-medallion.js';

const { values } = parseArgs({
  options: {
    size: { type: 'string', default: '1000000' },
    samples: { type: 'string', default: '50' },
    keep: { type: 'boolean', default: false },
    reuse: { type: 'boolean', default: false },
    medallion: { type: 'string', default: '0' },
  },
});
const SIZE = Number(values.size);
const SAMPLES = Number(values.samples);
const MEDALLION_OBJECTS = Number(values.medallion);
const PAGE = 1_000;
const TARGETS = { pageP99Ms: 250, walkObjectsPerSecond: 20_000 };
const BASE = 'dragnet-bench-taxii';
const names: IndexNames = { alias: BASE, concrete: `${BASE}-v1`, pattern: `${BASE}-v*`, template: BASE };
const COLLECTION = '8c1d4a2e-6f3b-4c5d-9e7a-1b2c3d4e5f60';
const NOW = Date.UTC(2026, 10, 1);
const TLPS: Tlp[] = ['clear', 'green', 'green', 'amber'];
const elasticsearch = testElasticsearch();

function documentAt(i: number) {
  const value =
    i % 2 === 0
      ? `${23 + (i % 7)}.${(i >>> 16) & 255}.${(i >>> 8) & 255}.${i & 255}`
      : `host-${i.toString(36)}.example-bench.com`;
  const partners = 1 + (i % 3);
  const sightings = Array.from({ length: partners }, (_, n) => ({
    provider: `partner-${(i + n) % 5}`,
    tlp: TLPS[(i + n) % TLPS.length],
    confidence: 30 + (i % 70),
    seen: NOW - (i % 90) * 86_400_000,
  }));
  return indicatorDocument(value, sightings, { now: NOW + Math.floor(i / 1_000), score: 20 + (i % 80) });
}

async function documentCount(): Promise<number | null> {
  if (!(await elasticsearch.indices.exists({ index: names.alias }))) return null;
  await elasticsearch.indices.refresh({ index: names.alias });
  return (await elasticsearch.count({ index: names.alias })).count;
}

async function load(): Promise<void> {
  await deleteIndicatorIndex(elasticsearch, names);
  await ensureIndicatorIndex(elasticsearch, names);
  const started = Date.now();
  let written = 0;
  let pending: Promise<void> | null = null;
  for (let start = 0; start < SIZE; start += 10_000) {
    const documents: ReturnType<typeof documentAt>[] = [];
    for (let i = start; i < Math.min(SIZE, start + 10_000); i++) {
      documents.push(documentAt(i));
      if (i % 500 === 499) await yieldToLoop();
    }
    await pending;
    pending = writeVersioned(elasticsearch, documents, { index: names.alias, concurrency: 2 }).then(
      (outcome) => {
        if (outcome.rejected.length || outcome.unavailable.length) throw new Error('load: documents refused');
        written += outcome.written;
        progress('loaded', written, SIZE, started);
      },
    );
  }
  await pending;
  await elasticsearch.indices.refresh({ index: names.alias });
  log(
    `\nloaded ${written.toLocaleString('en')} documents in ${((Date.now() - started) / 1_000).toFixed(1)} s`,
  );
}

const agent = new Agent({ keepAlive: true, maxSockets: 1 });
let port = 0;
let authorization = '';

function get(
  path: string,
): Promise<{ status: number; body: { objects?: unknown[]; more?: boolean; next?: string } }> {
  return new Promise((resolve, reject) => {
    const headers = { authorization, accept: 'application/taxii+json;version=2.1' };
    const outgoing = request({ host: '127.0.0.1', port, path, agent, headers }, (response) => {
      const chunks: Buffer[] = [];
      response.on('data', (chunk: Buffer) => chunks.push(chunk));
      response.on('end', () =>
        resolve({
          status: response.statusCode ?? 0,
          body: JSON.parse(Buffer.concat(chunks).toString('utf8')),
        }),
      );
      response.on('error', reject);
    });
    outgoing.on('error', reject);
    outgoing.end();
  });
}

const objectsPath = (next?: string) =>
  `/taxii2/dragnet/collections/${COLLECTION}/objects/?limit=${PAGE}${next ? `&next=${next}` : ''}`;

async function timed(path: string): Promise<{ ms: number; body: Awaited<ReturnType<typeof get>>['body'] }> {
  const started = process.hrtime.bigint();
  const response = await get(path);
  if (response.status !== 200)
    throw new Error(`${path}: ${response.status} ${JSON.stringify(response.body)}`);
  return { ms: Number(process.hrtime.bigint() - started) / 1e6, body: response.body };
}

function stats(samples: number[]) {
  const sorted = [...samples].sort((a, b) => a - b);
  return {
    count: samples.length,
    p50Ms: Number(percentile(sorted, 50).toFixed(1)),
    p99Ms: Number(percentile(sorted, 99).toFixed(1)),
  };
}

/** Walks the whole collection, page by page; keeps each page's `next` to replay deep pages later. */
async function walk() {
  const cursors: { depth: number; next: string }[] = [];
  const started = Date.now();
  let objects = 0;
  let next: string | undefined;
  do {
    const page = await timed(objectsPath(next));
    objects += page.body.objects?.length ?? 0;
    next = page.body.more ? page.body.next : undefined;
    if (next) cursors.push({ depth: objects, next });
    if (cursors.length % 100 === 0) progress('walked objects', objects, objects, started);
  } while (next);
  const ms = Date.now() - started;
  log(`\nwalked ${objects.toLocaleString('en')} objects in ${(ms / 1_000).toFixed(1)} s`);
  return { objects, ms, cursors };
}

await requireStack();
const count = await documentCount();
if (!(values.reuse && count === SIZE)) await load();
const key = createApiKey('bench-taxii', 'red', 1_000_000);
authorization = `Bearer ${key.key}`;
const redis = testKeyStore();
const server = await startApiServer(
  {
    elasticsearch,
    index: names.alias,
    keys: new ApiKeyRing([
      { id: key.entry.id, sha256: key.entry.sha256, maxTlp: 'red', ratePerMinute: 1_000_000 },
    ]),
    audit: { accepting: () => true, append: () => null },
    rateLimiter: new RateLimiter(redis),
    logger: testLogger,
    registry: new Registry(),
    maxBodyBytes: 1_048_576,
    searchTimeoutMs: 60_000,
    taxii: {
      configuration: parseTaxiiConfiguration(
        JSON.stringify({
          collections: [{ id: COLLECTION, title: 'bench', max_tlp: 'red', read: { any_key: true } }],
        }),
      ),
      settleMs: 0,
      maxContentLength: 1_048_576,
    },
  },
  { port: 0, host: '127.0.0.1' },
);
port = server.port;
try {
  const first: number[] = [];
  for (let n = 0; n < SAMPLES; n++) first.push((await timed(objectsPath())).ms);
  const full = await walk();
  const deepCursors = full.cursors.filter((cursor) => cursor.depth >= full.objects * 0.9);
  const deep: number[] = [];
  for (let n = 0; n < SAMPLES && deepCursors.length > 0; n++)
    deep.push((await timed(objectsPath(deepCursors[(n * 7919) % deepCursors.length]!.next))).ms);
  const walkRate = rate(full.objects, full.ms);
  const medallion = MEDALLION_OBJECTS > 0 ? await walkMedallion(MEDALLION_OBJECTS, PAGE) : null;
  const medallionRate = medallion ? rate(medallion.objects, medallion.ms) : 0;
  const result = {
    at: new Date().toISOString(),
    machine: machine(),
    documents: SIZE,
    pageObjects: PAGE,
    firstPage: stats(first),
    deepPages: { ...stats(deep), fromObjects: Math.round(full.objects * 0.9) },
    walk: {
      objects: full.objects,
      seconds: Number((full.ms / 1_000).toFixed(1)),
      objectsPerSecond: walkRate,
    },
    ...(medallion
      ? {
          medallion: {
            objects: medallion.objects,
            seconds: Number((medallion.ms / 1_000).toFixed(1)),
            objectsPerSecond: medallionRate,
            dragnetRatio: Number((walkRate / Math.max(medallionRate, 1)).toFixed(1)),
          },
        }
      : {}),
    targets: TARGETS,
  };
  log(JSON.stringify(result, null, 2));
  log(`results: ${writeResult('taxii', result)}`);
} finally {
  await server.close();
  agent.destroy();
  redis.disconnect();
  if (!values.keep) await deleteIndicatorIndex(elasticsearch, names);
  await elasticsearch.close();
}
