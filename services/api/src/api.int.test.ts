import { readdirSync, readFileSync } from 'node:fs';
import { connect } from 'node:net';
import { join } from 'node:path';
import { Writable } from 'node:stream';
import { ApiKeyRing, createApiKey } from '@dragnet/api-keys';
import {
  deleteAuditIndex,
  deleteIndicatorIndex,
  ensureAuditIndex,
  ensureIndicatorIndex,
  type IndexNames,
  writeVersioned,
} from '@dragnet/elasticsearch';
import { createLogger } from '@dragnet/logger';
import {
  indicatorDocument,
  requireStack,
  stack,
  startDelayingProxy,
  testElasticsearch,
  testKeyStore,
  uniqueName,
} from '@dragnet/test-kit';
import { Ajv2020 } from 'ajv/dist/2020.js';
import addFormats from 'ajv-formats';
import { Registry } from 'prom-client';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { AuditTrail } from './audit-trail.js';
import { RateLimiter } from './rate-limit.js';
import { startApiServer } from './server.js';

/** SHA-256 of the empty input: a known false-positive hash, here just a stable value. */
const EMPTY_SHA256 = 'e3b0c44298fc1c149afbf4c8996fb92427ae41e4649b934ca495991b7852b855';
const elasticsearch = testElasticsearch();
const redis = testKeyStore();
const base = uniqueName('dragnet-api');
const names: IndexNames = { alias: base, concrete: `${base}-v1`, pattern: `${base}-v*`, template: base };
const auditBase = `${base}-audit`;
const auditNames: IndexNames = {
  alias: auditBase,
  concrete: `${auditBase}-v1`,
  pattern: `${auditBase}-v*`,
  template: auditBase,
};
let audit: AuditTrail;
const full = createApiKey(uniqueName('full'), 'red');
const greenOnly = createApiKey(uniqueName('green'), 'green');
const limited = createApiKey(uniqueName('limited'), 'red', 3);
const bulkLimited = createApiKey(uniqueName('bulk'), 'red', 10);
const allKeys = [full, greenOnly, limited, bulkLimited];
let server: Awaited<ReturnType<typeof startApiServer>>;
let baseUrl = '';
const registry = new Registry();

/** Every line the API logs (at debug, so the per-request lines too), to check what reaches the logs. */
function capturingLogger() {
  const lines: string[] = [];
  const sink = new Writable({
    write(chunk, _encoding, done) {
      lines.push(...String(chunk).split('\n').filter(Boolean));
      done();
    },
  });
  return { lines, logger: createLogger({ service: 'api', level: 'debug', destination: sink }) };
}
const logs = capturingLogger();
const keyRing = () =>
  new ApiKeyRing(
    allKeys.map(({ entry }) => ({
      id: entry.id,
      sha256: entry.sha256,
      maxTlp: entry.max_tlp,
      ratePerMinute: entry.rate_per_minute,
    })),
  );

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
  options: { key?: string | null; method?: string; body?: string; contentType?: string; base?: string } = {},
) {
  const headers: Record<string, string> = {};
  const key = options.key === undefined ? full.key : options.key;
  if (key) headers.authorization = `Bearer ${key}`;
  if (options.body !== undefined) headers['content-type'] = options.contentType ?? 'application/json';
  const response = await fetch(`${options.base ?? baseUrl}${path}`, {
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
  await ensureAuditIndex(elasticsearch, auditNames);
  audit = new AuditTrail({
    client: elasticsearch,
    alias: auditNames.alias,
    logger: logs.logger,
    registry: new Registry(),
  });
  const outcome = await writeVersioned(elasticsearch, seeds, { index: names.alias, refresh: true });
  expect(outcome.written).toBe(seeds.length);
  server = await startApiServer(
    {
      elasticsearch,
      index: names.alias,
      keys: keyRing(),
      audit,
      rateLimiter: new RateLimiter(redis),
      logger: logs.logger,
      registry,
      maxBodyBytes: 1_048_576,
    },
    { port: 0, host: '127.0.0.1' },
  );
  baseUrl = `http://127.0.0.1:${server.port}`;
});

afterAll(async () => {
  await server?.close();
  await audit?.close();
  await deleteIndicatorIndex(elasticsearch, names);
  await deleteAuditIndex(elasticsearch, auditNames);
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
    [`/v1/search?q=${encodeURIComponent('dragnet.value:/.*e.*v.*i.*l.*/')}`, 'regex_not_allowed'],
    [`/v1/search?q=${encodeURIComponent('/(a|aa)+/')}`, 'regex_not_allowed'],
    [`/v1/export/stix?q=${encodeURIComponent('dragnet.value:/e.*/')}`, 'regex_not_allowed'],
    [`/v1/search?q=${encodeURIComponent('evil.example.con~2')}`, 'fuzzy_not_allowed'],
    [`/v1/search?q=${encodeURIComponent('"evil example"~5')}`, 'fuzzy_not_allowed'],
    [`/v1/search?q=${encodeURIComponent(`${'('.repeat(40)}evil${')'.repeat(40)}`)}`, 'query_too_deep'],
  ])('%s is a 400 %s', async (path, code) => {
    const response = await call(path);
    expect(response.status).toBe(400);
    expect(response.body.error.code).toBe(code);
    expect(response.body.error.message).toMatch(/^q: |size|cursor|limit/);
  });

  it('refuses a q over 4,096 characters', async () => {
    const response = await call(`/v1/search?q=${'a'.repeat(4_097)}`);
    expect(response.status).toBe(400);
    expect(response.body.error.code).toBe('query_too_long');
  });

  it('still answers quoted, escaped and trailing-wildcard queries the refusals must not catch', async () => {
    const url = 'http://malware.example.net/payload.exe?id=1';
    const quoted = await call(`/v1/search?q=${encodeURIComponent(`dragnet.value:"${url}"`)}`);
    expect(quoted.status).toBe(200);
    expect(quoted.body.indicators.map((indicator: { value: string }) => indicator.value)).toEqual([url]);
    const escaped = await call(
      `/v1/search?q=${encodeURIComponent('dragnet.value:http\\:\\/\\/malware.example.net\\/payload.exe*')}`,
    );
    expect(escaped.status).toBe(200);
    expect(escaped.body.indicators.map((indicator: { value: string }) => indicator.value)).toEqual([url]);
    const tilde = await call(`/v1/search?q=${encodeURIComponent('dragnet.value:"a~b/c"')}`);
    expect(tilde.status).toBe(200);
    const prefix = await call(`/v1/search?q=${encodeURIComponent('dragnet.value:evil.*')}`);
    expect(prefix.body.indicators.map((indicator: { value: string }) => indicator.value)).toEqual([
      'evil.example.com',
    ]);
  });
});

describe('hostile clients', () => {
  it('treats prototype property names as plain data: 400 for a body without observables, not_a_string inside', async () => {
    for (const body of [
      '{"toString":1}',
      '{"constructor":{"observables":["203.0.113.7"]}}',
      '{"__proto__":{"observables":["203.0.113.7"]}}',
      '{"observables":{"toString":1}}',
    ]) {
      const response = await call('/v1/lookup', { body });
      expect(response.status, body).toBe(400);
      expect(response.body.error.code).toBe('invalid_body');
      expect(response.body.error.message).toContain('observables');
    }
    const inside = await call('/v1/lookup', {
      body: '{"observables":[{"toString":1},{"constructor":1},{"__proto__":1},{"valueOf":{}},[1],"203.0.113.7"]}',
    });
    expect(inside.status).toBe(200);
    expect(
      inside.body.invalid.map((entry: { index: number; reason: string }) => [entry.index, entry.reason]),
    ).toEqual([
      [0, 'not_a_string'],
      [1, 'not_a_string'],
      [2, 'not_a_string'],
      [3, 'not_a_string'],
      [4, 'not_a_string'],
    ]);
    expect(inside.body.matches.map((match: { inputs: string[] }) => match.inputs)).toEqual([['203.0.113.7']]);
  });

  it('refuses over-long observables before normalising them, in bulk and single lookups', async () => {
    const padded = `203.0.113.7${' '.repeat(65_536)}`;
    const started = Date.now();
    const bulk = await call('/v1/lookup', {
      body: JSON.stringify({ observables: [...Array.from({ length: 15 }, () => padded), '203[.]0.113.7'] }),
    });
    expect(Date.now() - started).toBeLessThan(2_000);
    expect(bulk.status).toBe(200);
    expect(bulk.body.invalid).toHaveLength(15);
    expect(bulk.body.invalid[14]).toMatchObject({ index: 14, reason: 'too_long' });
    expect(bulk.body.invalid[0].input.length).toBeLessThanOrEqual(65);
    expect(bulk.body.matches.map((match: { inputs: string[] }) => match.inputs)).toEqual([['203[.]0.113.7']]);
    const single = await call(`/v1/indicators/${'a'.repeat(8_193)}`);
    expect(single.status).toBe(400);
    expect(single.body.error.code).toBe('too_long');
    const longest = await call(`/v1/indicators/${'a'.repeat(8_192)}`);
    expect(longest.body.error.code).not.toBe('too_long');
  });

  it('refuses deeply nested JSON without parsing it', async () => {
    const response = await call('/v1/lookup', { body: `{"observables":${'['.repeat(200_000)}` });
    expect(response.status).toBe(400);
    expect(response.body.error.code).toBe('invalid_body');
    expect(response.body.error.message).toContain('nested');
  });

  it('charges a bulk lookup one request per 100 observables, and refuses one bigger than the key allows', async () => {
    const key = bulkLimited.key; // 10 per minute
    const observables = (count: number) =>
      JSON.stringify({ observables: Array.from({ length: count }, (_, i) => `10.9.${i >> 8}.${i & 255}`) });
    const tooBig = await call('/v1/lookup', { key, body: observables(1_001) });
    expect(tooBig.status).toBe(413);
    expect(tooBig.body.error.code).toBe('too_many_observables');
    expect(tooBig.body.error.message).toContain('1000');
    // The refused request cost its one unit; 500 observables cost 5, 400 cost 4: 10.
    expect((await call('/v1/lookup', { key, body: observables(500) })).status).toBe(200);
    expect((await call('/v1/lookup', { key, body: observables(400) })).status).toBe(200);
    const refused = await call('/v1/search?size=1', { key });
    expect(refused.status).toBe(429);
    expect(refused.body.error.message).toContain('100 observables');
  });

  it('answers 400 to a request target that is no URL (fetch cannot send one, so a raw socket does)', async () => {
    const raw = await new Promise<string>((resolve, reject) => {
      let text = '';
      const socket = connect(server.port, '127.0.0.1', () =>
        socket.write('GET http://[ HTTP/1.1\r\nHost: api\r\nConnection: close\r\n\r\n'),
      );
      socket.on('data', (chunk) => {
        text += String(chunk);
      });
      socket.on('end', () => resolve(text));
      socket.on('error', reject);
    });
    expect(raw.split('\r\n')[0]).toBe('HTTP/1.1 400 Bad Request');
    expect(raw).toContain('"invalid_url"');
  });

  it('labels every answer with its route, never the raw path', async () => {
    await call('/v1/lookup', { body: '{"observables": [' });
    await call('/v1/search?size=abc');
    await call('/v1/export/stix?limit=0');
    await call('/v1/indicators/%E0%A4%A');
    await call(`/v1/${uniqueName('random')}`);
    await call('/openapi.json', { method: 'POST', key: null });
    const series = (await registry.getSingleMetric('dragnet_api_requests_total')?.get())?.values ?? [];
    const labels = series.map(({ labels }) => `${labels.route} ${labels.status}`);
    expect(labels).toEqual(
      expect.arrayContaining([
        'lookup 400',
        'search 400',
        'export_stix 400',
        'indicator 400',
        'unknown 404',
        'openapi 405',
      ]),
    );
    const routes = new Set(series.map(({ labels }) => labels.route));
    for (const route of routes)
      expect(['indicator', 'lookup', 'search', 'export_stix', 'openapi', 'unknown']).toContain(route);
  });

  it('answers 503 without the query, observables or key in the log when Elasticsearch fails', async () => {
    const failing = capturingLogger();
    const query = 'dragnet.value:secretquerymarker.example';
    const broken = await startApiServer(
      {
        elasticsearch,
        index: uniqueName('no-such-index'),
        keys: keyRing(),
        audit,
        rateLimiter: new RateLimiter(redis),
        logger: failing.logger,
        registry: new Registry(),
        maxBodyBytes: 1_048_576,
      },
      { port: 0, host: '127.0.0.1' },
    );
    try {
      const brokenUrl = `http://127.0.0.1:${broken.port}`;
      const search = await call(`/v1/search?q=${encodeURIComponent(query)}`, { base: brokenUrl });
      expect(search.status).toBe(503);
      const lookup = await call('/v1/lookup', {
        base: brokenUrl,
        body: JSON.stringify({ observables: ['203.0.113.99', 'leakmarker.example'] }),
      });
      expect(lookup.status).toBe(503);
    } finally {
      await broken.close();
    }
    const failures = failing.lines
      .map((line) => JSON.parse(line))
      .filter((line) => line.msg === 'request failed');
    expect(failures.map((line) => line.route)).toEqual(['search', 'lookup']);
    expect(failures[0]).toMatchObject({
      key: full.entry.id,
      query_chars: query.length,
      error: { status: 404 },
    });
    expect(failures[1]).toMatchObject({ key: full.entry.id, observables: 2 });
    const text = failing.lines.join('\n');
    for (const secret of ['secretquerymarker', 'leakmarker', '203.0.113.99', full.key, 'Bearer'])
      expect(text).not.toContain(secret);
  });

  it('gives up on a search Elasticsearch does not answer in time', async () => {
    const impatient = capturingLogger();
    // Every answer comes back 0.8 s late, well past the search deadline and well
    // within the ordinary client's: a real node made slow, not a race with a fast one.
    const slow = await startDelayingProxy(stack.ELASTICSEARCH_URL, 800);
    const slowElasticsearch = testElasticsearch(slow.url);
    const hurried = await startApiServer(
      {
        elasticsearch: slowElasticsearch,
        index: names.alias,
        keys: keyRing(),
        audit,
        rateLimiter: new RateLimiter(redis),
        logger: impatient.logger,
        registry: new Registry(),
        maxBodyBytes: 1_048_576,
        searchTimeoutMs: 200,
      },
      { port: 0, host: '127.0.0.1' },
    );
    try {
      const base = `http://127.0.0.1:${hurried.port}`;
      const search = await call('/v1/search?size=1000', { base });
      expect(search.status).toBe(503);
      expect(search.body.error.code).toBe('search_timeout');
      const exported = await call('/v1/export/stix?limit=1000', { base });
      expect(exported.body.error.code).toBe('search_timeout');
      // Lookups use the ordinary client and its timeout.
      expect((await call('/v1/indicators/203.0.113.7', { base })).status).toBe(200);
    } finally {
      await hurried.close();
      await slowElasticsearch.close();
      await slow.close();
    }
    const failures = impatient.lines
      .map((line) => JSON.parse(line))
      .filter((line) => line.msg === 'request failed');
    expect(failures.map((line) => [line.route, line.error.name])).toEqual([
      ['search', 'TimeoutError'],
      ['export_stix', 'TimeoutError'],
    ]);
  });

  it('never logs keys or the observables asked about', async () => {
    await call(`/v1/indicators/${encodeURIComponent('evil[.]example[.]com')}`);
    await call('/v1/lookup', { body: JSON.stringify({ observables: ['phisher@example.org'] }) });
    await call('/v1/search?q=evil', { key: 'dgn_not-a-key-but-secret' });
    const text = logs.lines.join('\n');
    expect(logs.lines.length).toBeGreaterThan(10);
    for (const secret of ['evil', 'phisher', ...allKeys.map(({ key }) => key), 'dgn_', 'Bearer'])
      expect(text).not.toContain(secret);
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
