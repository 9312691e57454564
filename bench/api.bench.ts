/**
 * `pnpm bench:api`: lookup API latency against a large index — single
 * lookups (`GET /v1/indicators/{value}`) and bulk lookups of 10,000 mixed
 * observables (`POST /v1/lookup`) — with the API in-process on the local
 * stack. A benchmark, not a test: it prints figures and writes them to
 * bench-results/.
 *
 *   pnpm bench:api [--size 1000000] [--single 2000] [--bulk 20] [--seed 42] [--keep] [--reuse]
 *
 * `--keep` leaves the index (`dragnet-bench-api`) behind; `--reuse` then skips
 * loading when it already holds `--size` documents.
 */
import { createHash } from 'node:crypto';
import { Agent, request } from 'node:http';
import { setImmediate as yieldToLoop } from 'node:timers/promises';
import { parseArgs } from 'node:util';
import { ApiKeyRing, AuditTrail, createApiKey, RateLimiter, startApiServer } from '@dragnet/api';
import {
  createElasticsearchClient,
  deleteAuditIndex,
  deleteIndicatorIndex,
  ensureAuditIndex,
  ensureIndicatorIndex,
  getIndicators,
  type IndexNames,
  writeVersioned,
} from '@dragnet/elasticsearch';
import type { Tlp } from '@dragnet/indicators';
import { lookupMany, resolveObservable } from '@dragnet/lookup';
import {
  indicatorDocument,
  requireStack,
  stack,
  testElasticsearch,
  testKeyStore,
  testLogger,
  uniqueName,
} from '@dragnet/test-kit';
import { Registry } from 'prom-client';
import { log, machine, percentile, progress, rate, writeResult } from './report.js';

const { values } = parseArgs({
  options: {
    size: { type: 'string', default: '1000000' },
    single: { type: 'string', default: '2000' },
    bulk: { type: 'string', default: '20' },
    'bulk-size': { type: 'string', default: '10000' },
    warmup: { type: 'string', default: '200' },
    seed: { type: 'string', default: '42' },
    keep: { type: 'boolean', default: false },
    reuse: { type: 'boolean', default: false },
  },
});
const SIZE = Number(values.size);
const SINGLE = Number(values.single);
const BULK = Number(values.bulk);
const BULK_SIZE = Number(values['bulk-size']);
const WARMUP = Number(values.warmup);
const SEED = Number(values.seed) >>> 0;
const TARGETS = { singleP99Ms: 10, bulkP99Ms: 500 };

const BASE = 'dragnet-bench-api';
const names: IndexNames = { alias: BASE, concrete: `${BASE}-v1`, pattern: `${BASE}-v*`, template: BASE };
const elasticsearch = testElasticsearch();

// --- Deterministic synthetic indicators -------------------------------------------------------
// Value `i` is a pure function of (seed, i): the benchmark can ask for any loaded indicator
// without holding a million values in memory, and values at i >= size are guaranteed unknown.

/** A 32-bit hash of (seed, i, salt): one independent "random" number per property. */
function hash(i: number, salt: number): number {
  let x = (SEED ^ Math.imul(i + 1, 0x9e3779b1) ^ Math.imul(salt + 1, 0x85ebca6b)) >>> 0;
  x = Math.imul(x ^ (x >>> 16), 0x7feb352d);
  x = Math.imul(x ^ (x >>> 15), 0x846ca68b);
  return (x ^ (x >>> 16)) >>> 0;
}

const FIRST_OCTETS = [23, 31, 45, 62, 81, 91, 103, 146, 185, 193, 212];
const WORDS = ['login', 'secure', 'update', 'cdn', 'mail', 'files', 'portal', 'verify', 'pay', 'cloud'];
const TLDS = ['com', 'net', 'org', 'info', 'ru', 'xyz', 'top', 'io'];
const PARTNERS = ['partner-a', 'partner-b', 'partner-c', 'partner-d', 'partner-e'];
const THREATS = ['Emotet', 'QakBot', 'AgentTesla', 'Cobalt Strike', 'RedLine', 'Mirai'];
const NOW = Date.UTC(2026, 10, 1);

type Kind = 'ipv4' | 'domain' | 'url' | 'sha256' | 'email';

function kindOf(i: number): Kind {
  const roll = hash(i, 1) % 100;
  return roll < 40 ? 'ipv4' : roll < 60 ? 'domain' : roll < 80 ? 'url' : roll < 95 ? 'sha256' : 'email';
}

/** The canonical value of synthetic indicator `i` (unique per i: every form embeds i). */
function valueAt(i: number): string {
  const word = WORDS[hash(i, 2) % WORDS.length];
  const tld = TLDS[hash(i, 3) % TLDS.length];
  const tag = i.toString(36);
  switch (kindOf(i)) {
    case 'ipv4': {
      // The first octet comes from i's residue, the other 24 bits from an odd-multiplier
      // bijection of i's quotient: unique for every i below 11 × 2^24.
      const low = Math.imul(Math.floor(i / FIRST_OCTETS.length), 0x9e3779) & 0xffffff;
      return `${FIRST_OCTETS[i % FIRST_OCTETS.length]}.${low >>> 16}.${(low >>> 8) & 255}.${low & 255}`;
    }
    case 'domain':
      return `${word}-${tag}.example-${tld}.${tld}`;
    case 'url':
      return `http://${word}-${tag}.example-${tld}.${tld}/${(hash(i, 4) & 0xffff).toString(16)}/index.php?id=${i}`;
    case 'sha256':
      return createHash('sha256').update(`${SEED}:${i}`).digest('hex');
    case 'email':
      return `${word}.${tag}@mail-${tld}.example.${tld}`;
  }
}

function tlpAt(i: number, salt: number): Tlp {
  const roll = hash(i, salt) % 100;
  return roll < 20 ? 'clear' : roll < 65 ? 'green' : roll < 90 ? 'amber' : roll < 95 ? 'amber+strict' : 'red';
}

function documentAt(i: number) {
  const partners = 1 + (hash(i, 5) % 3);
  const first = hash(i, 6) % PARTNERS.length;
  const sightings = Array.from({ length: partners }, (_, n) => ({
    provider: PARTNERS[(first + n) % PARTNERS.length]!,
    tlp: tlpAt(i, 10 + n),
    confidence: 30 + (hash(i, 20 + n) % 70),
    seen: NOW - (hash(i, 30 + n) % (90 * 86_400)) * 1_000,
    threatNames: hash(i, 40 + n) % 4 === 0 ? [THREATS[hash(i, 50 + n) % THREATS.length]!] : [],
  }));
  return indicatorDocument(valueAt(i), sightings, { now: NOW, score: 20 + (hash(i, 7) % 80) });
}

/** How an analyst pastes it: brackets, hxxp, [at]. */
function defang(value: string): string {
  return value.replace(/^http/, 'hxxp').replaceAll('.', '[.]').replace('@', '[at]');
}

// --- Load ------------------------------------------------------------------------------------

async function documentCount(): Promise<number | null> {
  if (!(await elasticsearch.indices.exists({ index: names.alias }))) return null;
  await elasticsearch.indices.refresh({ index: names.alias });
  return (await elasticsearch.count({ index: names.alias })).count;
}

async function load(): Promise<number> {
  await deleteIndicatorIndex(elasticsearch, names);
  await ensureIndicatorIndex(elasticsearch, names);
  const chunk = 10_000;
  const started = Date.now();
  let written = 0;
  let pending: Promise<void> | null = null;
  for (let start = 0; start < SIZE; start += chunk) {
    const documents: ReturnType<typeof documentAt>[] = [];
    for (let i = start; i < Math.min(SIZE, start + chunk); i++) {
      documents.push(documentAt(i));
      // Building is synchronous CPU work; yielding lets the previous chunk's bulk requests go out meanwhile.
      if (i % 500 === 499) await yieldToLoop();
    }
    await pending;
    pending = writeVersioned(elasticsearch, documents, { index: names.alias, concurrency: 2 }).then(
      (outcome) => {
        if (outcome.rejected.length || outcome.unavailable.length)
          throw new Error(
            `load: ${outcome.rejected.length} rejected, ${outcome.unavailable.length} unavailable: ${(outcome.rejected[0] ?? outcome.unavailable[0])?.reason}`,
          );
        written += outcome.written;
        progress('loaded', written, SIZE, started);
      },
    );
  }
  await pending;
  if (process.stderr.isTTY) process.stderr.write('\n');
  const refreshStarted = Date.now();
  await elasticsearch.indices.refresh({ index: names.alias });
  const loadMs = Date.now() - started;
  log(
    `loaded ${written.toLocaleString('en')} documents in ${(loadMs / 1_000).toFixed(1)} s (${rate(written, loadMs).toLocaleString('en')}/s, refresh ${Date.now() - refreshStarted} ms)`,
  );
  return loadMs;
}

// --- HTTP ------------------------------------------------------------------------------------

// One kept-alive connection: requests are sequential, and connection setup is not what we measure.
const agent = new Agent({ keepAlive: true, maxSockets: 1 });
let port = 0;
let authorization = '';

function call(
  method: 'GET' | 'POST',
  path: string,
  body?: string,
): Promise<{ status: number; text: string }> {
  return new Promise((resolve, reject) => {
    const headers: Record<string, string | number> = { authorization };
    if (body !== undefined) {
      headers['content-type'] = 'application/json';
      headers['content-length'] = Buffer.byteLength(body);
    }
    const outgoing = request({ host: '127.0.0.1', port, method, path, agent, headers }, (response) => {
      const chunks: Buffer[] = [];
      response.on('data', (chunk: Buffer) => chunks.push(chunk));
      response.on('end', () =>
        resolve({ status: response.statusCode ?? 0, text: Buffer.concat(chunks).toString('utf8') }),
      );
      response.on('error', reject);
    });
    outgoing.on('error', reject);
    outgoing.end(body);
  });
}

const elapsedMs = (since: bigint) => Number(process.hrtime.bigint() - since) / 1e6;
const round = (ms: number) => Number(ms.toFixed(2));

function stats(samples: number[]) {
  const sorted = [...samples].sort((a, b) => a - b);
  const total = samples.reduce((sum, value) => sum + value, 0);
  return {
    count: samples.length,
    p50Ms: round(percentile(sorted, 50)),
    p95Ms: round(percentile(sorted, 95)),
    p99Ms: round(percentile(sorted, 99)),
    maxMs: round(sorted.at(-1) ?? Number.NaN),
    meanMs: round(total / samples.length),
    totalMs: total,
  };
}

/** Random draws from the bench's own PRNG, so a run's request mix is reproducible too. */
let draw = SEED ^ 0x5bd1e995;
function random(): number {
  draw = (draw + 0x6d2b79f5) >>> 0;
  let t = draw;
  t = Math.imul(t ^ (t >>> 15), t | 1);
  t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
  return ((t ^ (t >>> 14)) >>> 0) / 4_294_967_296;
}
const known = () => Math.floor(random() * SIZE);
const unknown = () => SIZE + Math.floor(random() * SIZE);

function singlePath(): { path: string; expected: number } {
  const isKnown = random() >= 0.2;
  const value = valueAt(isKnown ? known() : unknown());
  // Unknown values, and known ones above red — none here: the key is cleared for red.
  return { path: `/v1/indicators/${encodeURIComponent(value)}`, expected: isKnown ? 200 : 404 };
}

function bulkBody(): { body: string; knownCount: number } {
  const observables: string[] = [];
  let knownCount = 0;
  for (let n = 0; n < BULK_SIZE; n++) {
    const roll = random();
    if (roll < 0.5) {
      const value = valueAt(known());
      observables.push(random() < 0.2 ? defang(value) : value);
      knownCount++;
    } else if (roll < 0.99) observables.push(valueAt(unknown()));
    else observables.push(random() < 0.5 ? `not an observable ${n}` : `300.${n & 255}.1.1`);
  }
  return { body: JSON.stringify({ observables }), knownCount };
}

// --- Run -------------------------------------------------------------------------------------

await requireStack();
log(
  `index ${names.alias}; ${SIZE.toLocaleString('en')} indicators; ${SINGLE} single and ${BULK} bulk lookups of ${BULK_SIZE.toLocaleString('en')}`,
);
let loadMs: number | null = null;
const existing = await documentCount();
if (values.reuse && existing === SIZE)
  log(`reusing ${names.alias} (${existing.toLocaleString('en')} documents)`);
else {
  if (values.reuse) log(`not reusing ${names.alias}: it holds ${existing ?? 'no'} documents, not ${SIZE}`);
  loadMs = await load();
}
const indexed = (await documentCount()) ?? 0;
const storeBytes = (await elasticsearch.indices.stats({ index: names.alias, metric: 'store' }))._all.primaries
  ?.store?.size_in_bytes;

// The API gets its own Elasticsearch client and Redis connection, as the service does.
const apiElasticsearch = createElasticsearchClient({ url: stack.ELASTICSEARCH_URL });
const redis = testKeyStore();
const key = createApiKey(uniqueName('bench'), 'red', 1_000_000);
// Every request is audited, as in production: the figures include the audit trail's cost.
const auditNames = {
  ...names,
  alias: `${BASE}-audit`,
  concrete: `${BASE}-audit-v1`,
  pattern: `${BASE}-audit-v*`,
  template: `${BASE}-audit`,
};
await ensureAuditIndex(elasticsearch, auditNames);
const audit = new AuditTrail({
  client: apiElasticsearch,
  alias: auditNames.alias,
  logger: testLogger,
  registry: new Registry(),
});
const server = await startApiServer(
  {
    elasticsearch: apiElasticsearch,
    index: names.alias,
    keys: new ApiKeyRing([
      { id: key.entry.id, sha256: key.entry.sha256, maxTlp: key.entry.max_tlp, ratePerMinute: 1_000_000 },
    ]),
    audit,
    rateLimiter: new RateLimiter(redis),
    logger: testLogger,
    registry: new Registry(),
    maxBodyBytes: 8_388_608,
  },
  { port: 0, host: '127.0.0.1' },
);
port = server.port;
authorization = `Bearer ${key.key}`;

const unexpected: string[] = [];
function check(label: string, status: number, expected: number, text: string) {
  if (status !== expected && unexpected.length < 10)
    unexpected.push(`${label}: ${status} ${text.slice(0, 200)}`);
}

// Warm-up: JIT, connection pools, Elasticsearch caches for the query shapes.
for (let n = 0; n < WARMUP; n++) {
  const { path } = singlePath();
  await call('GET', path);
}
for (let n = 0; n < Math.min(3, BULK); n++) await call('POST', '/v1/lookup', bulkBody().body);

const singleSamples: number[] = [];
let singleFound = 0;
const singleStarted = process.hrtime.bigint();
for (let n = 0; n < SINGLE; n++) {
  const { path, expected } = singlePath();
  const started = process.hrtime.bigint();
  const response = await call('GET', path);
  singleSamples.push(elapsedMs(started));
  check('single', response.status, expected, response.text);
  if (response.status === 200) singleFound++;
}
const singleWallMs = elapsedMs(singleStarted);

const bulkSamples: number[] = [];
let bulkMatches = 0;
let bulkKnown = 0;
const bulkStarted = process.hrtime.bigint();
for (let n = 0; n < BULK; n++) {
  // Built before the clock starts: the client's JSON is not the API's latency.
  const { body, knownCount } = bulkBody();
  const started = process.hrtime.bigint();
  const response = await call('POST', '/v1/lookup', body);
  bulkSamples.push(elapsedMs(started));
  check('bulk', response.status, 200, response.text);
  bulkKnown += knownCount;
  if (response.status === 200)
    bulkMatches += (JSON.parse(response.text) as { matches: unknown[] }).matches.length;
}
const bulkWallMs = elapsedMs(bulkStarted);

// Breakdown: the same work without HTTP, to split Elasticsearch time from API overhead.
const directSingle: number[] = [];
for (let n = 0; n < Math.min(SINGLE, 500); n++) {
  const resolved = resolveObservable(valueAt(random() >= 0.2 ? known() : unknown()));
  if (!resolved.ok) continue;
  const started = process.hrtime.bigint();
  await getIndicators(apiElasticsearch, names.alias, [resolved.id]);
  directSingle.push(elapsedMs(started));
}
const directBulk: number[] = [];
for (let n = 0; n < Math.min(BULK, 5); n++) {
  const { observables } = JSON.parse(bulkBody().body) as { observables: string[] };
  const started = process.hrtime.bigint();
  await lookupMany({ client: apiElasticsearch, index: names.alias, maxTlp: 'red' }, observables);
  directBulk.push(elapsedMs(started));
}

await server.close();
await audit.close();
await deleteAuditIndex(elasticsearch, auditNames);
agent.destroy();
await apiElasticsearch.close();
redis.disconnect();
if (!values.keep) await deleteIndicatorIndex(elasticsearch, names);
else log(`kept ${names.alias}; rerun with --reuse to skip loading`);
await elasticsearch.close();

const single = stats(singleSamples);
const bulk = stats(bulkSamples);
const result = {
  at: new Date().toISOString(),
  machine: machine(),
  options: { size: SIZE, single: SINGLE, bulk: BULK, bulkSize: BULK_SIZE, warmup: WARMUP, seed: SEED },
  index: {
    documents: indexed,
    storeMb: storeBytes === undefined ? null : Math.round(storeBytes / 2 ** 20),
    loadMs,
    loadDocumentsPerSecond: loadMs === null ? null : rate(indexed, loadMs),
  },
  single: {
    ...single,
    requestsPerSecond: rate(single.count, singleWallMs),
    found: singleFound,
    targetP99Ms: TARGETS.singleP99Ms,
    met: single.p99Ms < TARGETS.singleP99Ms,
  },
  bulk: {
    ...bulk,
    observablesPerRequest: BULK_SIZE,
    observablesPerSecond: rate(bulk.count * BULK_SIZE, bulkWallMs),
    knownAsked: bulkKnown,
    matches: bulkMatches,
    targetP99Ms: TARGETS.bulkP99Ms,
    met: bulk.p99Ms < TARGETS.bulkP99Ms,
  },
  breakdown: {
    singleDirectElasticsearch: stats(directSingle),
    bulkDirectLookupMany: stats(directBulk),
  },
  unexpected,
};

const verdict = (met: boolean) => (met ? 'MET' : 'MISSED');
const ms = (value: number) => value.toFixed(1);
const header = ['', 'n', 'p50 ms', 'p95 ms', 'p99 ms', 'max ms', 'throughput', 'target', ''];
const rows = [
  [
    'single',
    String(single.count),
    ms(single.p50Ms),
    ms(single.p95Ms),
    ms(single.p99Ms),
    ms(single.maxMs),
    `${result.single.requestsPerSecond.toLocaleString('en')} req/s`,
    `p99 < ${TARGETS.singleP99Ms} ms`,
    verdict(result.single.met),
  ],
  [
    `bulk ${BULK_SIZE.toLocaleString('en')}`,
    String(bulk.count),
    ms(bulk.p50Ms),
    ms(bulk.p95Ms),
    ms(bulk.p99Ms),
    ms(bulk.maxMs),
    `${result.bulk.observablesPerSecond.toLocaleString('en')} obs/s`,
    `p99 < ${TARGETS.bulkP99Ms} ms`,
    verdict(result.bulk.met),
  ],
  ...(
    [
      ['  single, ES mget only', result.breakdown.singleDirectElasticsearch],
      ['  bulk, lookupMany only', result.breakdown.bulkDirectLookupMany],
    ] as const
  ).map(([label, entry]) => [
    label,
    String(entry.count),
    ms(entry.p50Ms),
    ms(entry.p95Ms),
    ms(entry.p99Ms),
    ms(entry.maxMs),
    '',
    '',
    '',
  ]),
];
const widths = header.map((_, column) => Math.max(...[header, ...rows].map((row) => row[column]!.length)));
const format = (row: string[]) =>
  row
    .map((cell, column) => (column === 0 ? cell.padEnd(widths[column]!) : cell.padStart(widths[column]!)))
    .join('  ')
    .trimEnd();
console.log(
  `index ${indexed.toLocaleString('en')} indicators (${result.index.storeMb ?? '?'} MB)${loadMs === null ? ', reused' : `, loaded at ${result.index.loadDocumentsPerSecond?.toLocaleString('en')} docs/s`}`,
);
console.log([header, ...rows].map(format).join('\n'));
console.log(
  `single: ${singleFound} of ${single.count} found · bulk: ${bulkMatches.toLocaleString('en')} matches for ${bulkKnown.toLocaleString('en')} known observables asked`,
);
if (unexpected.length) console.log(`unexpected responses:\n  ${unexpected.join('\n  ')}`);
console.log(`\nwritten ${writeResult('api', result)}`);
process.exit(unexpected.length ? 1 : 0);
