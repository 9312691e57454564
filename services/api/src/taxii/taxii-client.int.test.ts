import { execFile } from 'node:child_process';
import { join } from 'node:path';
import { promisify } from 'node:util';
import { ApiKeyRing, createApiKey } from '@dragnet/api-keys';
import {
  deleteIndicatorIndex,
  ensureIndicatorIndex,
  type IndexNames,
  writeVersioned,
} from '@dragnet/elasticsearch';
import type { Tlp } from '@dragnet/indicators';
import { createLogger } from '@dragnet/logger';
import {
  ensureStixPython,
  indicatorDocument,
  requireStack,
  testElasticsearch,
  testKeyStore,
  uniqueName,
} from '@dragnet/test-kit';
import { Registry } from 'prom-client';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { RateLimiter } from '../rate-limit.js';
import { startApiServer } from '../server.js';
import { parseTaxiiConfiguration } from './collections.js';

/**
 * The PyPI `taxii2-client` (what OpenCTI's and many SIEMs' TAXII connectors
 * use) walks every collection's objects and manifest, paging with
 * `more`/`next`, while new indicators are indexed; it must get every
 * indicator that was there before it started exactly once. Every object it
 * is served must pass the OASIS `stix2-validator`. The libraries live in a
 * venv at the repository root, created here when missing (as
 * test/checker/make-vectors.py documents for `stix2`).
 */
const execute = promisify(execFile);
let python = '';
const script = join(import.meta.dirname, 'taxii-client-walk.py');

const EVERYTHING = '55555555-5555-4555-8555-555555555555';
const GREEN = '66666666-6666-4666-8666-666666666666';
const TLPS: Tlp[] = ['clear', 'green', 'amber', 'red'];
const T0 = Date.parse('2026-10-01T00:00:00.000Z');

const elasticsearch = testElasticsearch();
const redis = testKeyStore();
const base = uniqueName('dragnet-taxii-client');
const names: IndexNames = { alias: base, concrete: `${base}-v1`, pattern: `${base}-v*`, template: base };
const key = createApiKey(uniqueName('taxii-client'), 'red');
/** 60 indicators, added three per second (ties in date added), each at one TLP. */
const seeds = Array.from({ length: 60 }, (_, index) =>
  indicatorDocument(
    index % 2 === 0 ? `203.0.113.${index}` : `host-${index}.example.com`,
    [{ provider: `partner-${index % 3}`, tlp: TLPS[index % 4] }],
    { now: T0 + Math.floor(index / 3) * 1_000 },
  ),
);
const uuidOf = (id: string) => id.slice(id.indexOf('--') + 2);
const indicatorIdOf = (seed: (typeof seeds)[number]) => `indicator--${uuidOf(seed.id)}`;
let server: Awaited<ReturnType<typeof startApiServer>>;

interface Walked {
  collections: Record<
    string,
    { objects: [string, string][]; manifest: [string, string, string][]; pages: number }
  >;
  invalid: [string, string][];
}

beforeAll(async () => {
  await requireStack();
  python = ensureStixPython();
  await ensureIndicatorIndex(elasticsearch, names);
  expect((await writeVersioned(elasticsearch, seeds, { index: names.alias, refresh: true })).written).toBe(
    60,
  );
  const configuration = parseTaxiiConfiguration(
    JSON.stringify({
      collections: [
        { id: EVERYTHING, title: 'Everything', max_tlp: 'red', read: { any_key: true } },
        { id: GREEN, title: 'GREEN and below', max_tlp: 'green', read: { any_key: true } },
      ],
    }),
  );
  server = await startApiServer(
    {
      elasticsearch,
      index: names.alias,
      keys: new ApiKeyRing([
        { id: key.entry.id, sha256: key.entry.sha256, maxTlp: 'red', ratePerMinute: 100_000 },
      ]),
      audit: { accepting: () => true, append: () => null },
      rateLimiter: new RateLimiter(redis),
      logger: createLogger({ service: 'api', level: 'silent' }),
      registry: new Registry(),
      maxBodyBytes: 1_048_576,
      taxii: { configuration, settleMs: 0, maxContentLength: 1_048_576 },
    },
    { port: 0, host: '127.0.0.1' },
  );
}, 300_000);

afterAll(async () => {
  await server?.close();
  await deleteIndicatorIndex(elasticsearch, names);
  await elasticsearch.close();
  redis.disconnect();
});

const FRESH_DURING_WALK = 40;
/** Every indicator indexed during a walk, over all walks of this file (the index is shared). */
const freshIds: string[] = [];

/** Runs the client walk while new indicators are indexed; returns what it walked and the ids added. */
async function walkWhileIndexing(perRequest: number, addedAfter?: string) {
  let walking = true;
  const added = freshIds;
  const indexing = (async () => {
    // Bounded, so the walk can catch up: 40 new indicators over about the first two seconds.
    for (let index = 0; walking && index < FRESH_DURING_WALK; index++) {
      const fresh = indicatorDocument(`fresh-${uniqueName('n')}-${index}.example.org`, [
        { provider: 'partner-new', tlp: 'green' },
      ]);
      await writeVersioned(elasticsearch, [fresh], { index: names.alias, refresh: true });
      added.push(fresh.id);
      await new Promise((resolve) => setTimeout(resolve, 50));
    }
  })();
  const args = [script, `http://127.0.0.1:${server.port}/taxii2/`, key.entry.id, key.key, String(perRequest)];
  try {
    const { stdout } = await execute(python, addedAfter ? [...args, addedAfter] : args, {
      maxBuffer: 64 * 1_048_576,
    });
    return { walked: JSON.parse(stdout) as Walked, added };
  } finally {
    walking = false;
    await indexing;
  }
}

const ownObjects = (ids: string[]) => ids.filter((id) => !/^(identity|marking-definition)--/.test(id));

describe('taxii2-client against Dragnet', () => {
  it('walks every collection and gets each indicator present at the start exactly once, while ingest runs', async () => {
    const { walked, added } = await walkWhileIndexing(7);
    expect(walked.invalid).toEqual([]);
    expect(added.length).toBeGreaterThan(0);
    const fresh = new Set(added.map((id) => `indicator--${uuidOf(id)}`));
    const expected = {
      [EVERYTHING]: seeds,
      [GREEN]: seeds.filter((_, index) => TLPS[index % 4] === 'clear' || TLPS[index % 4] === 'green'),
    };
    for (const [collection, members] of Object.entries(expected)) {
      const served = walked.collections[collection];
      expect(served, collection).toBeDefined();
      expect(served!.pages).toBeGreaterThan(10);
      for (const listing of [served!.objects.map(([id]) => id), served!.manifest.map(([id]) => id)]) {
        const own = ownObjects(listing);
        expect(new Set(own).size, `${collection}: an object served twice`).toBe(own.length);
        const indicators = own.filter((id) => id.startsWith('indicator--'));
        const old = indicators.filter((id) => !fresh.has(id));
        expect(old.sort()).toEqual(members.map(indicatorIdOf).sort());
        for (const seed of members) expect(own).toContain(seed.id);
      }
      // The manifest lists the same versions the objects carry.
      const versions = new Map(served!.objects.map(([id, version]) => [id, version]));
      for (const [id, version] of served!.manifest)
        if (versions.has(id) && versions.get(id)) expect(version, id).toBe(versions.get(id));
    }
  }, 300_000);

  it('with added_after gets only what was added after it', async () => {
    const cut = new Date(T0 + 10_000).toISOString();
    const { walked, added } = await walkWhileIndexing(5, cut);
    expect(walked.invalid).toEqual([]);
    const fresh = new Set(added.map((id) => `indicator--${uuidOf(id)}`));
    const indicators = ownObjects(walked.collections[EVERYTHING]!.manifest.map(([id]) => id)).filter(
      (id) => id.startsWith('indicator--') && !fresh.has(id),
    );
    // Added at T0 + floor(index / 3) s: after T0 + 10 s are indexes 33 to 59.
    expect(indicators.sort()).toEqual(seeds.slice(33).map(indicatorIdOf).sort());
    for (const [, , dateAdded] of walked.collections[EVERYTHING]!.manifest)
      expect(Date.parse(dateAdded)).toBeGreaterThan(T0 + 10_000);
  }, 300_000);
});
