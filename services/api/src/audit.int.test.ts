import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { ApiKeyRing, createApiKey } from '@dragnet/api-keys';
import {
  appendAuditRecords,
  deleteAuditIndex,
  deleteIndicatorIndex,
  ensureAuditIndex,
  ensureIndicatorIndex,
  type IndexNames,
  writeVersioned,
} from '@dragnet/elasticsearch';
import {
  eventually,
  indicatorDocument,
  requireStack,
  testElasticsearch,
  testKeyStore,
  testLogger,
  uniqueName,
} from '@dragnet/test-kit';
import { Registry } from 'prom-client';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { ApiKeySource } from './api-key-source.js';
import { AuditTrail } from './audit-trail.js';
import { RateLimiter } from './rate-limit.js';
import { startApiServer } from './server.js';

const elasticsearch = testElasticsearch();
const redis = testKeyStore();
const indexNames = (base: string): IndexNames => ({
  alias: base,
  concrete: `${base}-v1`,
  pattern: `${base}-v*`,
  template: base,
});
const names = indexNames(uniqueName('dragnet-audit-test-indicators'));
const auditNames = indexNames(uniqueName('dragnet-audit-test'));
const cleanups: (() => Promise<unknown>)[] = [];

const green = createApiKey(uniqueName('green'), 'green', 10_000, { organisation: 'Unit 7, Member State A' });
const red = createApiKey(uniqueName('red'), 'red', 10_000);
const keyOf = ({ entry }: ReturnType<typeof createApiKey>) => ({
  id: entry.id,
  sha256: entry.sha256,
  maxTlp: entry.max_tlp,
  ratePerMinute: entry.rate_per_minute,
  ...(entry.organisation ? { organisation: entry.organisation } : {}),
});

const seeds = {
  visible: indicatorDocument('203.0.113.50', [{ provider: 'partner-a', tlp: 'green' }]),
  withheld: indicatorDocument('withheld.example.org', [{ provider: 'partner-a', tlp: 'amber' }]),
  withheldNetwork: indicatorDocument('198.51.100.0/24', [{ provider: 'partner-b', tlp: 'red' }]),
};
const UNKNOWN = 'never-seen-before.example.net';

async function call(base: string, path: string, key: string | null, body?: unknown) {
  const headers: Record<string, string> = {};
  if (key) headers.authorization = `Bearer ${key}`;
  if (body !== undefined) headers['content-type'] = 'application/json';
  const response = await fetch(`${base}${path}`, {
    method: body === undefined ? 'GET' : 'POST',
    headers,
    ...(body === undefined ? {} : { body: JSON.stringify(body) }),
  });
  // biome-ignore lint/suspicious/noExplicitAny: asserted field by field
  return { status: response.status, headers: response.headers, body: (await response.json()) as any };
}

// biome-ignore lint/suspicious/noExplicitAny: audit documents are asserted field by field
async function auditRecords(alias: string, filter: Record<string, string>): Promise<any[]> {
  await elasticsearch.indices.refresh({ index: alias });
  const response = await elasticsearch.search({
    index: alias,
    size: 1_000,
    query: {
      bool: { filter: Object.entries(filter).map(([field, value]) => ({ term: { [field]: value } })) },
    },
    sort: [{ '@timestamp': 'asc' }],
  });
  return response.hits.hits.map((hit) => hit._source);
}

async function startServer(options: {
  audit: AuditTrail;
  keys: ApiKeyRing | ApiKeySource;
}): Promise<{ base: string; close(): Promise<void> }> {
  const server = await startApiServer(
    {
      elasticsearch,
      index: names.alias,
      keys: options.keys,
      audit: options.audit,
      rateLimiter: new RateLimiter(redis),
      logger: testLogger,
      registry: new Registry(),
      maxBodyBytes: 1_048_576,
    },
    { port: 0, host: '127.0.0.1' },
  );
  return { base: `http://127.0.0.1:${server.port}`, close: () => server.close() };
}

beforeAll(async () => {
  await requireStack();
  await ensureIndicatorIndex(elasticsearch, names);
  await ensureAuditIndex(elasticsearch, auditNames);
  const outcome = await writeVersioned(elasticsearch, Object.values(seeds), {
    index: names.alias,
    refresh: true,
  });
  expect(outcome.written).toBe(3);
});

afterAll(async () => {
  for (const cleanup of cleanups.reverse()) await cleanup();
  await deleteIndicatorIndex(elasticsearch, names);
  await deleteAuditIndex(elasticsearch, auditNames);
  await elasticsearch.close();
  redis.disconnect();
});

describe('audit trail', () => {
  it('records exactly one record per call of each kind, with key, organisation and outcome', async () => {
    const audit = new AuditTrail({
      client: elasticsearch,
      alias: auditNames.alias,
      logger: testLogger,
      registry: new Registry(),
    });
    const server = await startServer({ audit, keys: new ApiKeyRing([keyOf(green), keyOf(red)]) });
    cleanups.push(
      () => server.close(),
      () => audit.close(),
    );
    const N = 3;
    const requestIds = new Set<string>();
    const remember = (response: { headers: Headers }) => {
      const id = response.headers.get('x-request-id');
      expect(id).toMatch(/^[0-9a-f-]{36}$/);
      requestIds.add(id as string);
    };
    for (let n = 0; n < N; n++) {
      const found = await call(server.base, '/v1/indicators/203[.]0[.]113[.]50', green.key);
      expect(found.status).toBe(200);
      remember(found);
      // Withheld (AMBER above a GREEN key) and unknown answer the same to the client.
      const withheld = await call(server.base, '/v1/indicators/withheld.example.org', green.key);
      const unknown = await call(server.base, `/v1/indicators/${UNKNOWN}`, green.key);
      expect(withheld.status).toBe(404);
      expect(unknown.status).toBe(404);
      expect(withheld.body.error.code).toBe(unknown.body.error.code);
      remember(withheld);
      remember(unknown);
      const bulk = await call(server.base, '/v1/lookup', green.key, {
        observables: [
          '203.0.113.50',
          'withheld[.]example[.]org',
          '198.51.100.9',
          UNKNOWN,
          'not an observable',
          7,
        ],
      });
      expect(bulk.status).toBe(200);
      expect(bulk.body.matches).toHaveLength(1);
      expect(bulk.body.unknown).toEqual(['withheld[.]example[.]org', '198.51.100.9', UNKNOWN]);
      remember(bulk);
      const search = await call(server.base, '/v1/search?q=dragnet.kind:ipv4', green.key);
      expect(search.status).toBe(200);
      remember(search);
      const exported = await call(server.base, '/v1/export/stix?q=dragnet.kind:ipv4&limit=10', green.key);
      expect(exported.status).toBe(200);
      remember(exported);
    }
    const refused = await call(server.base, '/v1/search?q=x', 'dgn_not-a-key');
    expect(refused.status).toBe(401);
    remember(refused);
    await audit.flush();
    expect(audit.pending).toBe(0);

    const records = await auditRecords(auditNames.alias, { key_id: green.entry.id });
    expect(records).toHaveLength(6 * N);
    for (const record of records) {
      expect(record).toMatchObject({
        key_id: green.entry.id,
        organisation: 'Unit 7, Member State A',
        key_outcome: 'valid',
        max_tlp: 'green',
        client_address: '127.0.0.1',
      });
      expect(requestIds.has(record.request_id)).toBe(true);
    }
    const byRoute = (route: string) => records.filter((record) => record.route === route);
    expect(byRoute('indicator')).toHaveLength(3 * N);
    expect(byRoute('lookup')).toHaveLength(N);
    expect(byRoute('search')).toHaveLength(N);
    expect(byRoute('export_stix')).toHaveLength(N);

    const single = byRoute('indicator');
    expect(single.filter((record) => record.status === 200).map((record) => record.answered.matched)).toEqual(
      Array(N).fill([seeds.visible.id]),
    );
    expect(
      single.filter((record) => record.answered.withheld_count === 1).map((r) => r.answered.withheld),
    ).toEqual(Array(N).fill([seeds.withheld.id]));
    const unknownSingles = single.filter((record) => record.answered.unknown_count === 1);
    expect(unknownSingles).toHaveLength(N);
    expect(unknownSingles[0].asked.inputs).toEqual([UNKNOWN]);
    expect(unknownSingles[0].status).toBe(404);

    for (const lookup of byRoute('lookup')) {
      expect(lookup.asked.count).toBe(6);
      expect(lookup.asked.inputs).toEqual([
        '203.0.113.50',
        'withheld[.]example[.]org',
        '198.51.100.9',
        UNKNOWN,
        'not an observable',
        '7',
      ]);
      expect(lookup.answered).toMatchObject({
        matched: [seeds.visible.id],
        matched_count: 1,
        // The domain (AMBER) and the IP inside a RED network: both answered as unknown.
        withheld_count: 2,
        unknown_count: 1,
        invalid: ['not an observable', '7'],
        invalid_count: 2,
      });
      expect(lookup.answered.withheld).toContain(seeds.withheld.id);
      expect(lookup.answered.withheld).toHaveLength(2);
      expect(lookup.answered.unknown).toHaveLength(1);
    }
    for (const search of byRoute('search')) {
      expect(search.asked.query).toBe('dragnet.kind:ipv4');
      expect(search.answered).toMatchObject({ total: 1, returned: 1 });
    }
    for (const exported of byRoute('export_stix')) expect(exported.answered.returned).toBe(1);

    const unauthenticated = (await auditRecords(auditNames.alias, { key_outcome: 'unknown' })).filter(
      (record) => requestIds.has(record.request_id),
    );
    expect(unauthenticated).toHaveLength(1);
    expect(unauthenticated[0]).toMatchObject({ status: 401, error_code: 'unauthorized', route: 'search' });
    expect(unauthenticated[0].key_id).toBeUndefined();
  });

  it('defaults the organisation to the key id', async () => {
    const audit = new AuditTrail({
      client: elasticsearch,
      alias: auditNames.alias,
      logger: testLogger,
      registry: new Registry(),
    });
    const server = await startServer({ audit, keys: new ApiKeyRing([keyOf(red)]) });
    cleanups.push(
      () => server.close(),
      () => audit.close(),
    );
    expect((await call(server.base, '/v1/indicators/withheld.example.org', red.key)).status).toBe(200);
    await audit.flush();
    const [record] = await auditRecords(auditNames.alias, { key_id: red.entry.id });
    expect(record).toMatchObject({ organisation: red.entry.id, answered: { matched: [seeds.withheld.id] } });
  });

  it('refuses requests with 503 once the bounded queue is full, and writes every queued record when the index is back', async () => {
    const missing = indexNames(uniqueName('dragnet-audit-test-late'));
    const audit = new AuditTrail({
      client: elasticsearch,
      alias: missing.alias,
      logger: testLogger,
      registry: new Registry(),
      maxBufferedRecords: 3,
      flushIntervalMs: 100,
    });
    const server = await startServer({ audit, keys: new ApiKeyRing([keyOf(red)]) });
    cleanups.push(
      () => server.close(),
      () => audit.close(1_000),
      () => deleteAuditIndex(elasticsearch, missing),
    );
    for (let n = 0; n < 2; n++)
      expect((await call(server.base, '/v1/indicators/203.0.113.50', red.key)).status).toBe(200);
    // Past half the bound, requests without a valid key are refused unrecorded (counted), so
    // a keyless flood cannot fill the queue that accountable requests need.
    expect((await call(server.base, '/v1/indicators/203.0.113.50', 'dgn_flood')).status).toBe(401);
    expect(audit.pending).toBe(2);
    expect((await call(server.base, '/v1/indicators/203.0.113.50', red.key)).status).toBe(200);
    // The index does not exist: nothing is written, nothing is dropped, and the API stops answering.
    await new Promise((resolve) => setTimeout(resolve, 300));
    expect(audit.pending).toBe(3);
    const refused = await call(server.base, '/v1/indicators/203.0.113.50', red.key);
    expect(refused.status).toBe(503);
    expect(refused.body.error.code).toBe('audit_unavailable');
    await ensureAuditIndex(elasticsearch, missing);
    await eventually(
      async () => audit.pending,
      (pending) => pending === 0,
      { timeoutMs: 10_000, intervalMs: 50, what: 'the queued audit records' },
    );
    expect((await call(server.base, '/v1/indicators/203.0.113.50', red.key)).status).toBe(200);
    await audit.flush();
    const records = await auditRecords(missing.alias, { route: 'indicator' });
    expect(records).toHaveLength(4);
    expect(records.every((record) => record.status === 200 && record.key_id === red.entry.id)).toBe(true);
  });

  it('appends only: a second write with the same id is refused and the first record stays as it was', async () => {
    const id = uniqueName('audit-record');
    const first = {
      id,
      json: JSON.stringify({ request_id: id, route: 'lookup', status: 200, key_id: 'first' }),
    };
    const forged = {
      id,
      json: JSON.stringify({ request_id: id, route: 'lookup', status: 200, key_id: 'forged' }),
    };
    expect(await appendAuditRecords(elasticsearch, auditNames.alias, [first])).toEqual(['created']);
    expect(await appendAuditRecords(elasticsearch, auditNames.alias, [forged])).toEqual(['exists']);
    const stored = await elasticsearch.get<{ key_id: string }>({ index: auditNames.alias, id });
    expect(stored._source?.key_id).toBe('first');
    expect(stored._version).toBe(1);
  });

  it('never creates the trail by writing to it: a missing alias is an error to retry, not a new unmapped index', async () => {
    const absent = uniqueName('dragnet-audit-test-absent');
    const record = { id: absent, json: JSON.stringify({ request_id: absent }) };
    expect(await appendAuditRecords(elasticsearch, absent, [record])).toEqual(['retry']);
    expect(await elasticsearch.indices.exists({ index: absent })).toBe(false);
  });
});

describe('API keys without a restart', () => {
  it('refuses a key revoked in the keys file and one past its expiry, each with its own code', async () => {
    const directory = mkdtempSync(join(tmpdir(), 'dragnet-keys-'));
    const file = join(directory, 'keys.json');
    const revocable = createApiKey(uniqueName('revocable'), 'red', 10_000, { organisation: 'CERT-X' });
    const expiring = createApiKey(uniqueName('expiring'), 'red', 10_000, {
      expiresAt: new Date(Date.now() + 2_000),
    });
    writeFileSync(file, JSON.stringify([revocable.entry, expiring.entry]));
    const keys = new ApiKeySource({ file });
    keys.watch(50);
    const audit = new AuditTrail({
      client: elasticsearch,
      alias: auditNames.alias,
      logger: testLogger,
      registry: new Registry(),
    });
    const server = await startServer({ audit, keys });
    cleanups.push(
      () => server.close(),
      () => audit.close(),
      async () => {
        keys.close();
        rmSync(directory, { recursive: true, force: true });
      },
    );
    const path = '/v1/indicators/203.0.113.50';
    expect((await call(server.base, path, revocable.key)).status).toBe(200);
    expect((await call(server.base, path, expiring.key)).status).toBe(200);

    writeFileSync(file, JSON.stringify([{ ...revocable.entry, revoked: true }, expiring.entry]));
    await eventually(
      async () => (await call(server.base, path, revocable.key)).status,
      (status) => status === 401,
      { timeoutMs: 5_000, intervalMs: 50, what: 'the revocation to take effect' },
    );
    const revoked = await call(server.base, path, revocable.key);
    expect(revoked.body.error.code).toBe('key_revoked');

    await eventually(
      async () => (await call(server.base, path, expiring.key)).status,
      (status) => status === 401,
      { timeoutMs: 5_000, intervalMs: 100, what: 'the key to expire' },
    );
    expect((await call(server.base, path, expiring.key)).body.error.code).toBe('key_expired');

    // A broken edit leaves the keys in force as they were: the revocation stays.
    writeFileSync(file, '[{"id": "oops"');
    expect(keys.reload().ok).toBe(false);
    expect((await call(server.base, path, revocable.key)).body.error.code).toBe('key_revoked');

    await audit.flush();
    const records = await auditRecords(auditNames.alias, { key_id: revocable.entry.id });
    expect(records.at(0)).toMatchObject({ key_outcome: 'valid', status: 200, organisation: 'CERT-X' });
    expect(records.at(-1)).toMatchObject({ key_outcome: 'revoked', status: 401, error_code: 'key_revoked' });
    const expired = await auditRecords(auditNames.alias, {
      key_id: expiring.entry.id,
      key_outcome: 'expired',
    });
    expect(expired.length).toBeGreaterThanOrEqual(1);
    expect(expired[0]).toMatchObject({ status: 401, error_code: 'key_expired' });
  });
});
