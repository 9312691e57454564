import { readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import {
  deleteIndicatorIndex,
  ensureIndicatorIndex,
  type IndexNames,
  writeVersioned,
} from '@dragnet/elasticsearch';
import {
  indicatorDocument,
  requireStack,
  testElasticsearch,
  testLogger,
  testRedis,
  uniqueName,
} from '@dragnet/test-kit';
import { Ajv2020 } from 'ajv/dist/2020.js';
import addFormats from 'ajv-formats';
import { Registry } from 'prom-client';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { ApiKeyRing, createApiKey } from './api-keys.js';
import { RateLimiter } from './rate-limit.js';
import { startApiServer } from './server.js';

/** SHA-256 of the empty input: a known false-positive hash, here just a stable value. */
const EMPTY_SHA256 = 'e3b0c44298fc1c149afbf4c8996fb92427ae41e4649b934ca495991b7852b855';
const elasticsearch = testElasticsearch();
const redis = testRedis();
const base = uniqueName('dragnet-api');
const names: IndexNames = { alias: base, concrete: `${base}-v1`, pattern: `${base}-v*`, template: base };
const full = createApiKey(uniqueName('full'), 'red');
const greenOnly = createApiKey(uniqueName('green'), 'green');
const limited = createApiKey(uniqueName('limited'), 'red', 3);
let server: Awaited<ReturnType<typeof startApiServer>>;
let baseUrl = '';

const seeds = [
  indicatorDocument('203.0.113.7', [
    { provider: 'partner-a', tlp: 'green', confidence: 80, threatNames: ['Emotet'] },
    { provider: 'partner-b', tlp: 'clear', confidence: 60 },
  ]),
  indicatorDocument('evil.example.com', [{ provider: 'partner-a', tlp: 'amber' }]),
  indicatorDocument('http://malware.example.net/payload.exe?id=1', [{ provider: 'partner-c', tlp: 'green' }]),
  indicatorDocument('e3b0c44298fc1c149afbf4c8996fb92427ae41e4649b934ca495991b7852b855', [
    { provider: 'partner-b', tlp: 'clear' },
  ]),
  indicatorDocument('198.51.100.0/24', [{ provider: 'partner-a', tlp: 'green' }]),
  indicatorDocument('phisher@example.org', [{ provider: 'partner-c', tlp: 'red' }]),
  indicatorDocument("http://quotes.example.net/o'brien", [{ provider: 'partner-c', tlp: 'amber+strict' }]),
];
const byValue = (value: string) => {
  const seed = seeds.find((candidate) => (candidate.document.dragnet as { value: string }).value === value);
  if (!seed) throw new Error(`no seed ${value}`);
  return seed;
};

async function call(
  path: string,
  options: { key?: string | null; method?: string; body?: string; contentType?: string } = {},
) {
  const headers: Record<string, string> = {};
  const key = options.key === undefined ? full.key : options.key;
  if (key) headers.authorization = `Bearer ${key}`;
  if (options.body !== undefined) headers['content-type'] = options.contentType ?? 'application/json';
  const response = await fetch(`${baseUrl}${path}`, {
    method: options.method ?? (options.body === undefined ? 'GET' : 'POST'),
    headers,
    ...(options.body === undefined ? {} : { body: options.body }),
  });
  const text = await response.text();
  // biome-ignore lint/suspicious/noExplicitAny: response bodies are asserted field by field
  return { status: response.status, headers: response.headers, body: JSON.parse(text) as any };
}

beforeAll(async () => {
  await requireStack();
  await ensureIndicatorIndex(elasticsearch, names);
  const outcome = await writeVersioned(elasticsearch, seeds, { index: names.alias, refresh: true });
  expect(outcome.written).toBe(seeds.length);
  server = await startApiServer(
    {
      elasticsearch,
      index: names.alias,
      keys: new ApiKeyRing(
        [full, greenOnly, limited].map(({ entry }) => ({
          id: entry.id,
          sha256: entry.sha256,
          maxTlp: entry.max_tlp,
          ratePerMinute: entry.rate_per_minute,
        })),
      ),
      rateLimiter: new RateLimiter(redis),
      logger: testLogger,
      registry: new Registry(),
      maxBodyBytes: 1_048_576,
    },
    { port: 0, host: '127.0.0.1' },
  );
  baseUrl = `http://127.0.0.1:${server.port}`;
});

afterAll(async () => {
  await server?.close();
  await deleteIndicatorIndex(elasticsearch, names);
  await elasticsearch.close();
  redis.disconnect();
});

describe('GET /v1/indicators/{value}', () => {
  it.each([
    ['203.0.113.7', '203.0.113.7'],
    ['203[.]0[.]113[.]7', '203.0.113.7'],
    [' 203.0.113.7 ', '203.0.113.7'],
    ['EVIL[.]Example[.]COM', 'evil.example.com'],
    ['evil.example.com.', 'evil.example.com'],
    ['hxxp://Malware.Example.NET/payload.exe?id=1', 'http://malware.example.net/payload.exe?id=1'],
    ['http://malware[.]example[.]net:80/payload.exe?id=1', 'http://malware.example.net/payload.exe?id=1'],
    ['E3B0C44298FC1C149AFBF4C8996FB92427AE41E4649B934CA495991B7852B855', EMPTY_SHA256],
    ['phisher[at]Example[.]ORG', 'phisher@example.org'],
  ])('%j finds %s', async (input, canonical) => {
    const response = await call(`/v1/indicators/${encodeURIComponent(input)}`);
    expect(response.status).toBe(200);
    expect(response.body.id).toBe(byValue(canonical).id);
    expect(response.body.document.dragnet.value).toBe(canonical);
  });

  it('answers 404 for a valid observable nobody reported, 400 naming the problem for garbage', async () => {
    const unknown = await call(`/v1/indicators/${encodeURIComponent('192.0.2.99')}`);
    expect(unknown.status).toBe(404);
    expect(unknown.body.error.code).toBe('unknown_indicator');
    const garbage = await call(`/v1/indicators/${encodeURIComponent('not an observable')}`);
    expect(garbage.status).toBe(400);
    expect(garbage.body.error.message).toContain('not an observable');
    const badIp = await call(`/v1/indicators/${encodeURIComponent('300.1.2.3')}`);
    expect(badIp.status).toBe(400);
  });
});

describe('POST /v1/lookup', () => {
  it('returns exactly the expected matches among 10,000 mixed, defanged observables', async () => {
    const known = [
      ['203[.]0.113.7', '203.0.113.7'],
      ['hxxps://EVIL.example.com', null],
      ['evil[.]example[.]com', 'evil.example.com'],
      ['E3B0C44298FC1C149AFBF4C8996FB92427AE41E4649B934CA495991B7852B855', EMPTY_SHA256],
      ['phisher@example.org', 'phisher@example.org'],
    ] as const;
    const observables: string[] = [];
    for (let index = 0; observables.length < 10_000; index++) {
      const slot = index % 10;
      if (slot === 0 && index < 50) observables.push(known[(index / 10) % known.length]?.[0] ?? '');
      else if (slot === 1) observables.push(`10.${(index >> 16) & 255}.${(index >> 8) & 255}.${index & 255}`);
      else if (slot === 2) observables.push(`host-${index}.example.invalid`);
      else if (slot === 3) observables.push(`hxxp://site-${index}[.]example/path`);
      else if (slot === 4) observables.push(index.toString(16).padStart(64, '0'));
      else if (slot === 5 && index < 1_000) observables.push(`not valid ${index}`);
      else observables.push(`user${index}@example.net`);
    }
    observables[observables.length - 1] = '198.51.100.77'; // inside the listed /24
    expect(observables).toHaveLength(10_000);
    const response = await call('/v1/lookup', { body: JSON.stringify({ observables }) });
    expect(response.status).toBe(200);
    const matched = new Map<string, string[]>(
      response.body.matches.map((match: { indicator: { value: string }; inputs: string[] }) => [
        match.indicator.value,
        match.inputs,
      ]),
    );
    expect([...matched.keys()].sort()).toEqual(
      ['198.51.100.0/24', '203.0.113.7', EMPTY_SHA256, 'evil.example.com', 'phisher@example.org'].sort(),
    );
    expect(matched.get('203.0.113.7')).toEqual(['203[.]0.113.7']);
    expect(matched.get('198.51.100.0/24')).toEqual(['198.51.100.77']);
    const network = response.body.matches.find(
      (match: { matched_by: string }) => match.matched_by === 'network',
    );
    expect(network.indicator.value).toBe('198.51.100.0/24');
    const ipMatch = response.body.matches.find(
      (match: { indicator: { value: string } }) => match.indicator.value === '203.0.113.7',
    );
    expect(ipMatch.indicator.sources.map((source: { provider: string }) => source.provider)).toEqual([
      'partner-a',
      'partner-b',
    ]);
    expect(ipMatch.indicator.tlp).toBe('green');
    expect(ipMatch.indicator.threat_names).toEqual(['Emotet']);
    expect(response.body.invalid).toHaveLength(100);
    expect(response.body.invalid[0]).toMatchObject({ input: 'not valid 5', reason: 'unsupported_type' });
    expect(response.body.unknown).toHaveLength(10_000 - 100 - 5);
  });

  it('rejects bodies it cannot use with 4xx and a message', async () => {
    const malformed = await call('/v1/lookup', { body: '{"observables": [' });
    expect(malformed.status).toBe(400);
    expect(malformed.body.error.code).toBe('malformed_json');
    const wrongShape = await call('/v1/lookup', { body: '["1.2.3.4"]' });
    expect(wrongShape.status).toBe(400);
    expect(wrongShape.body.error.message).toContain('observables');
    const wrongType = await call('/v1/lookup', { body: '{}', contentType: 'text/plain' });
    expect(wrongType.status).toBe(415);
    const tooMany = await call('/v1/lookup', {
      body: JSON.stringify({
        observables: Array.from({ length: 10_001 }, (_, i) => `10.0.${i >> 8}.${i & 255}`),
      }),
    });
    expect(tooMany.status).toBe(413);
    expect(tooMany.body.error.code).toBe('too_many_observables');
    const tooLarge = await call('/v1/lookup', {
      body: JSON.stringify({ observables: ['x'.repeat(1_100_000)] }),
    });
    expect(tooLarge.status).toBe(413);
    const nonStrings = await call('/v1/lookup', {
      body: JSON.stringify({ observables: [42, null, '1.2.3.4'] }),
    });
    expect(nonStrings.status).toBe(200);
    expect(nonStrings.body.invalid.map((entry: { reason: string }) => entry.reason)).toEqual([
      'not_a_string',
      'not_a_string',
    ]);
  });
});

describe('GET /v1/search', () => {
  it('pages through every visible indicator with a cursor', async () => {
    const seen: string[] = [];
    let cursor: string | null = null;
    do {
      const query = `/v1/search?size=2${cursor ? `&cursor=${cursor}` : ''}`;
      const page = await call(query);
      expect(page.status).toBe(200);
      expect(page.body.total).toBe(seeds.length);
      seen.push(...page.body.indicators.map((indicator: { id: string }) => indicator.id));
      cursor = page.body.next_cursor;
    } while (cursor);
    expect(seen.sort()).toEqual(seeds.map((seed) => seed.id).sort());
  });

  it('answers a field query', async () => {
    const page = await call(`/v1/search?q=${encodeURIComponent('threat.indicator.provider:partner-c')}`);
    expect(page.body.indicators.map((indicator: { value: string }) => indicator.value).sort()).toEqual(
      [
        "http://quotes.example.net/o'brien",
        'http://malware.example.net/payload.exe?id=1',
        'phisher@example.org',
      ].sort(),
    );
  });

  it.each([
    ['/v1/search?q=%28%28%28', 'invalid_query'],
    ['/v1/search?size=0', 'invalid_size'],
    ['/v1/search?size=abc', 'invalid_size'],
    ['/v1/search?cursor=bm9wZQ', 'invalid_cursor'],
    ['/v1/export/stix?limit=10001', 'invalid_limit'],
  ])('%s is a 400 %s', async (path, code) => {
    const response = await call(path);
    expect(response.status).toBe(400);
    expect(response.body.error.code).toBe(code);
  });
});

describe('authentication, TLP and rate limits', () => {
  it('refuses requests without a known key and wrong methods', async () => {
    expect((await call('/v1/search', { key: null })).status).toBe(401);
    expect((await call('/v1/search', { key: 'dgn_wrong' })).status).toBe(401);
    expect((await call('/v1/lookup')).status).toBe(405);
    expect((await call('/v1/nothing')).status).toBe(404);
  });

  it('never shows a TLP:GREEN key anything marked AMBER or RED, through any endpoint', async () => {
    const key = greenOnly.key;
    const restricted = ['evil.example.com', 'phisher@example.org', "http://quotes.example.net/o'brien"];
    for (const value of restricted) {
      const single = await call(`/v1/indicators/${encodeURIComponent(value)}`, { key });
      expect(single.status).toBe(404);
    }
    const bulk = await call('/v1/lookup', { key, body: JSON.stringify({ observables: restricted }) });
    expect(bulk.body.matches).toEqual([]);
    expect(bulk.body.unknown).toEqual(restricted);
    const search = await call('/v1/search?size=100', { key });
    const tlps = search.body.indicators.map((indicator: { tlp: string }) => indicator.tlp);
    expect(tlps.length).toBe(4);
    expect(tlps.every((tlp: string) => tlp === 'clear' || tlp === 'green')).toBe(true);
    const bundle = await call('/v1/export/stix', { key });
    const text = JSON.stringify(bundle.body);
    for (const value of restricted) expect(text).not.toContain(value);
    expect(text).not.toMatch(/TLP:(AMBER|RED)/);
    const full = await call('/v1/search?size=100');
    expect(full.body.indicators).toHaveLength(seeds.length);
  });

  it('answers 429 with Retry-After once a key used up its minute', async () => {
    const statuses: number[] = [];
    for (let i = 0; i < 5; i++) statuses.push((await call('/v1/search?size=1', { key: limited.key })).status);
    expect(statuses).toEqual([200, 200, 200, 429, 429]);
    const refused = await call('/v1/search?size=1', { key: limited.key });
    expect(Number(refused.headers.get('retry-after'))).toBeGreaterThan(0);
  });
});

describe('GET /v1/export/stix', () => {
  it('is a STIX 2.1 bundle the OASIS schemas accept, with deterministic ids', async () => {
    const response = await call('/v1/export/stix?limit=100');
    expect(response.status).toBe(200);
    expect(response.headers.get('content-type')).toContain('application/stix+json');
    const bundle = response.body;
    const validate = stixBundleValidator();
    const valid = validate(bundle);
    expect(validate.errors ?? []).toEqual([]);
    expect(valid).toBe(true);
    const types = bundle.objects.map((object: { type: string }) => object.type);
    expect(types.filter((type: string) => type === 'indicator')).toHaveLength(seeds.length);
    const ids = new Set(bundle.objects.map((object: { id: string }) => object.id));
    for (const seed of seeds) expect(ids.has(seed.id)).toBe(true);
    const partners = bundle.objects
      .filter((object: { type: string; identity_class?: string }) => object.identity_class === 'organization')
      .map((object: { name: string }) => object.name);
    expect(partners.sort()).toEqual(['partner-a', 'partner-b', 'partner-c']);
    const quoted = bundle.objects.find(
      (object: { type: string; name?: string }) =>
        object.type === 'indicator' && object.name?.includes("o'brien"),
    );
    expect(quoted.pattern).toBe("[url:value = 'http://quotes.example.net/o\\'brien']");
    const again = await call('/v1/export/stix?limit=100');
    expect(again.body.objects.map((object: { id: string }) => object.id)).toEqual(
      bundle.objects.map((object: { id: string }) => object.id),
    );
  });
});

describe('GET /openapi.json', () => {
  it('describes every route without a key', async () => {
    const response = await call('/openapi.json', { key: null });
    expect(response.status).toBe(200);
    expect(Object.keys(response.body.paths).sort()).toEqual(
      ['/v1/export/stix', '/v1/indicators/{value}', '/v1/lookup', '/v1/search'].sort(),
    );
  });
});

function stixBundleValidator() {
  const root = join(import.meta.dirname, '..', 'fixtures', 'stix2.1-schemas', 'schemas');
  const ajv = new Ajv2020({ strict: false, allErrors: true, unicodeRegExp: false });
  addFormats.default(ajv);
  let bundleId = '';
  for (const folder of readdirSync(root)) {
    for (const file of readdirSync(join(root, folder))) {
      const schema = JSON.parse(readFileSync(join(root, folder, file), 'utf8')) as { $id: string };
      ajv.addSchema(schema);
      if (folder === 'common' && file === 'bundle.json') bundleId = schema.$id;
    }
  }
  const validate = ajv.getSchema(bundleId);
  if (!validate) throw new Error('STIX bundle schema not loaded');
  return validate;
}
