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
  testElasticsearch,
  testKeyStore,
  uniqueName,
} from '@dragnet/test-kit';
import { Registry } from 'prom-client';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { AuditTrail } from '../audit-trail.js';
import { RateLimiter } from '../rate-limit.js';
import { type AuditSink, startApiServer } from '../server.js';
import { parseTaxiiConfiguration } from './collections.js';

/**
 * TAXII 2.1 over plain HTTP against a real index: media types, error
 * messages, filters, paging and TLP ceilings. Expected objects are derived
 * from the seeds here (ids by the UUID rule, types by count), not by the
 * code that builds them.
 */
const TAXII = 'application/taxii+json;version=2.1';
const STIX = 'application/stix+json;version=2.1';
const AMBER_MARKING = 'marking-definition--55d920b0-5e8b-4f79-9ee9-91f868d9b421';
const RED_MARKING = 'marking-definition--e828b379-4e03-4974-9ac4-e53a884c97c1';
const ALL = '11111111-1111-4111-8111-111111111111';
const PARTNER_A_GREEN = '22222222-2222-4222-8222-222222222222';
const RESTRICTED = '33333333-3333-4333-8333-333333333333';
const HIGH_SCORE = '44444444-4444-4444-8444-444444444444';

const elasticsearch = testElasticsearch();
const redis = testKeyStore();
const base = uniqueName('dragnet-taxii');
const names: IndexNames = { alias: base, concrete: `${base}-v1`, pattern: `${base}-v*`, template: base };
const auditNames: IndexNames = {
  alias: `${base}-audit`,
  concrete: `${base}-audit-v1`,
  pattern: `${base}-audit-v*`,
  template: `${base}-audit`,
};
const full = createApiKey(uniqueName('full'), 'red');
const green = createApiKey(uniqueName('green'), 'green', 600, { organisation: 'cert-green' });
const outsider = createApiKey(uniqueName('outsider'), 'red');

const T0 = Date.parse('2026-11-01T00:00:00.000Z');
const seeds = [
  indicatorDocument('203.0.113.7', [{ provider: 'partner-a', tlp: 'green' }], { now: T0 + 1_000, score: 80 }),
  indicatorDocument('evil.example.com', [{ provider: 'partner-a', tlp: 'amber' }], { now: T0 + 2_000 }),
  // Two documents added in the same millisecond: the id breaks the tie.
  indicatorDocument('http://malware.example.net/p.exe', [{ provider: 'partner-c', tlp: 'clear' }], {
    now: T0 + 3_000,
  }),
  indicatorDocument('198.51.100.0/24', [{ provider: 'partner-b', tlp: 'green' }], { now: T0 + 3_000 }),
  indicatorDocument(
    '192.0.2.44',
    [
      { provider: 'partner-a', tlp: 'green' },
      { provider: 'partner-b', tlp: 'amber' },
    ],
    { now: T0 + 4_000, score: 90 },
  ),
  indicatorDocument('phisher@example.org', [{ provider: 'partner-c', tlp: 'red' }], { now: T0 + 5_000 }),
  indicatorDocument(
    'e3b0c44298fc1c149afbf4c8996fb92427ae41e4649b934ca495991b7852b855',
    [{ provider: 'partner-b', tlp: 'green' }],
    { now: T0 + 6_000 },
  ),
];
const expired = seeds[6]!;
Object.assign(expired.document.dragnet as object, { active: false, expired: true });
const seedValue = (seed: (typeof seeds)[number]) => (seed.document.dragnet as { value: string }).value;
const uuidOf = (id: string) => id.slice(id.indexOf('--') + 2);
const seedBy = (value: string) => seeds.find((seed) => seedValue(seed) === value)!;

const configuration = parseTaxiiConfiguration(
  JSON.stringify({
    title: 'Test TAXII',
    collections: [
      { id: ALL, title: 'Everything', max_tlp: 'red', read: { any_key: true } },
      {
        id: PARTNER_A_GREEN,
        title: 'partner-a',
        max_tlp: 'green',
        partners: ['partner-a'],
        read: { organisations: ['cert-green'], keys: [full.entry.id] },
      },
      { id: RESTRICTED, title: 'Only the full key', max_tlp: 'red', read: { keys: [full.entry.id] } },
      {
        id: HIGH_SCORE,
        title: 'Scored 85+',
        max_tlp: 'red',
        min_score: 85,
        kinds: ['ipv4'],
        read: { any_key: true },
      },
    ],
  }),
);

let server: Awaited<ReturnType<typeof startApiServer>>;
let audit: AuditTrail;
const audited: Record<string, unknown>[] = [];
let baseUrl = '';

async function get(
  path: string,
  options: { key?: string | null; accept?: string; basic?: [string, string] } = {},
) {
  const headers: Record<string, string> = { accept: options.accept ?? TAXII };
  const key = options.key === undefined ? full.key : options.key;
  if (options.basic)
    headers.authorization = `Basic ${Buffer.from(options.basic.join(':')).toString('base64')}`;
  else if (key) headers.authorization = `Bearer ${key}`;
  const response = await fetch(`${baseUrl}${path}`, { headers });
  const text = await response.text();
  return {
    status: response.status,
    headers: response.headers,
    // biome-ignore lint/suspicious/noExplicitAny: bodies are asserted field by field
    body: (text ? JSON.parse(text) : null) as any,
  };
}

const collection = (id: string) => `/taxii2/dragnet/collections/${id}`;

/** Every page of an endpoint, following `next`; checks each page's size and date headers. */
async function walk(path: string, limit: number, key = full.key) {
  const pages: { objects?: { id: string; [key: string]: unknown }[]; more: boolean; next?: string }[] = [];
  let next: string | undefined;
  do {
    const separator = path.includes('?') ? '&' : '?';
    const page = await get(`${path}${separator}limit=${limit}${next ? `&next=${next}` : ''}`, { key });
    expect(page.status).toBe(200);
    const objects = page.body.objects ?? [];
    expect(objects.length).toBeLessThanOrEqual(limit);
    if (objects.length > 0) {
      expect(page.headers.get('x-taxii-date-added-first')).toMatch(/Z$/);
      expect(page.headers.get('x-taxii-date-added-last')).toMatch(/Z$/);
    }
    pages.push(page.body);
    next = page.body.more ? page.body.next : undefined;
    expect(pages.length).toBeLessThan(200);
  } while (next);
  return pages.flatMap((page) => page.objects ?? []);
}

beforeAll(async () => {
  await requireStack();
  await ensureIndicatorIndex(elasticsearch, names);
  await ensureAuditIndex(elasticsearch, auditNames);
  audit = new AuditTrail({
    client: elasticsearch,
    alias: auditNames.alias,
    logger: createLogger({ service: 'api', level: 'silent' }),
    registry: new Registry(),
  });
  const sink: AuditSink = {
    accepting: () => audit.accepting(),
    append: (document, priority) => {
      audited.push(document);
      return audit.append(document, priority);
    },
  };
  expect((await writeVersioned(elasticsearch, seeds, { index: names.alias, refresh: true })).written).toBe(
    seeds.length,
  );
  const ring = new ApiKeyRing(
    [full, green, outsider].map(({ entry }) => ({
      id: entry.id,
      sha256: entry.sha256,
      maxTlp: entry.max_tlp,
      ratePerMinute: entry.rate_per_minute,
      organisation: entry.organisation ?? entry.id,
    })),
  );
  server = await startApiServer(
    {
      elasticsearch,
      index: names.alias,
      keys: ring,
      audit: sink,
      rateLimiter: new RateLimiter(redis),
      logger: createLogger({ service: 'api', level: 'silent' }),
      registry: new Registry(),
      maxBodyBytes: 1_048_576,
      taxii: { configuration, settleMs: 0, maxContentLength: 1_048_576 },
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

describe('TAXII resources and media types', () => {
  it('serves discovery, the API root and the collections a key may read', async () => {
    const discovery = await get('/taxii2/');
    expect(discovery.status).toBe(200);
    expect(discovery.headers.get('content-type')).toBe(TAXII);
    expect(discovery.body).toMatchObject({
      title: 'Test TAXII',
      default: '/taxii2/dragnet/',
      api_roots: ['/taxii2/dragnet/'],
    });
    const root = await get('/taxii2/dragnet/');
    expect(root.body).toMatchObject({ versions: [TAXII], max_content_length: 1_048_576 });
    const mine = await get('/taxii2/dragnet/collections/');
    expect(mine.body.collections.map((entry: { id: string }) => entry.id)).toEqual([
      ALL,
      PARTNER_A_GREEN,
      RESTRICTED,
      HIGH_SCORE,
    ]);
    expect(mine.body.collections[0]).toMatchObject({ can_read: true, can_write: false, media_types: [STIX] });
    const theirs = await get('/taxii2/dragnet/collections/', { key: outsider.key });
    expect(theirs.body.collections.map((entry: { id: string }) => entry.id)).toEqual([ALL, HIGH_SCORE]);
    const one = await get(`${collection(ALL)}/`);
    expect(one.body).toMatchObject({ id: ALL, title: 'Everything' });
  });

  it('negotiates Accept: TAXII everywhere, STIX on objects, 406 otherwise', async () => {
    for (const accept of ['application/taxii+json', '*/*', 'application/*', `text/html, ${TAXII};q=0.9`])
      expect((await get('/taxii2/', { accept })).status, accept).toBe(200);
    const stix = await get(`${collection(ALL)}/objects/`, { accept: STIX });
    expect(stix.status).toBe(200);
    expect(stix.headers.get('content-type')).toBe(STIX);
    for (const [path, accept] of [
      ['/taxii2/', 'application/json'],
      ['/taxii2/', 'application/taxii+json;version=2.0'],
      ['/taxii2/', `${TAXII};q=0`],
      ['/taxii2/dragnet/collections/', STIX],
    ] as const) {
      const refused = await get(path, { accept });
      expect(refused.status, `${path} ${accept}`).toBe(406);
      expect(refused.headers.get('content-type')).toBe(TAXII);
      expect(refused.body).toMatchObject({ http_status: '406', error_code: 'not_acceptable' });
      expect(typeof refused.body.title).toBe('string');
    }
  });

  it('answers every error as a TAXII error message', async () => {
    const cases: [string, Parameters<typeof get>[1], number, string][] = [
      ['/taxii2/', { key: null }, 401, 'unauthorized'],
      ['/taxii2/', { key: 'dgn_wrong' }, 401, 'unauthorized'],
      ['/taxii2/', { basic: [outsider.entry.id, full.key] }, 401, 'unauthorized'],
      ['/taxii2/nothing/', {}, 404, 'unknown_api_root'],
      ['/taxii2/dragnet/nothing/here/', {}, 404, 'not_found'],
      [`${collection('99999999-9999-4999-8999-999999999999')}/objects/`, {}, 404, 'unknown_collection'],
      [`${collection(RESTRICTED)}/objects/`, { key: outsider.key }, 404, 'unknown_collection'],
      [`${collection(RESTRICTED)}/manifest/`, { key: outsider.key }, 404, 'unknown_collection'],
      [`${collection(ALL)}/objects/?added_after=yesterday`, {}, 400, 'invalid_added_after'],
      [`${collection(ALL)}/objects/?added_after=2026-02-30T00:00:00Z`, {}, 400, 'invalid_added_after'],
      [`${collection(ALL)}/objects/?limit=0`, {}, 400, 'invalid_limit'],
      [`${collection(ALL)}/objects/?next=bm9wZQ`, {}, 400, 'invalid_next'],
      [`${collection(ALL)}/objects/?match[id]=not-an-id`, {}, 400, 'invalid_match_id'],
      ['/taxii2/dragnet/status/00000000-0000-4000-8000-000000000000/', {}, 404, 'unknown_status'],
      [
        `${collection(ALL)}/objects/indicator--00000000-0000-4000-8000-000000000000/`,
        {},
        404,
        'unknown_object',
      ],
    ];
    for (const [path, options, status, code] of cases) {
      const response = await get(path, options);
      expect(response.status, path).toBe(status);
      expect(response.headers.get('content-type'), path).toBe(TAXII);
      expect(response.body, path).toMatchObject({ http_status: String(status), error_code: code });
    }
    const challenge = await get('/taxii2/', { key: null });
    expect(challenge.headers.get('www-authenticate')).toContain('Basic');
    const post = await fetch(`${baseUrl}${collection(ALL)}/objects/`, {
      method: 'POST',
      headers: { authorization: `Bearer ${full.key}`, accept: TAXII, 'content-type': TAXII },
      body: '{}',
    });
    expect(post.status).toBe(403);
    const deleted = await fetch(`${baseUrl}${collection(ALL)}/objects/`, { method: 'DELETE' });
    expect(deleted.status).toBe(405);
    expect(((await deleted.json()) as { http_status: string }).http_status).toBe('405');
    // A cursor of one collection is refused by another.
    const page = await get(`${collection(ALL)}/objects/?limit=1`);
    const crossed = await get(`${collection(HIGH_SCORE)}/objects/?next=${page.body.next}`);
    expect(crossed.body.error_code).toBe('invalid_next');
  });

  it('takes HTTP Basic with the key id and key', async () => {
    const response = await get('/taxii2/', { basic: [full.entry.id, full.key] });
    expect(response.status).toBe(200);
  });
});

describe('TAXII objects, manifest and paging', () => {
  it('serves every object once, in date-added order, whatever the page size', async () => {
    const whole = await walk(`${collection(ALL)}/objects/`, 10_000);
    const own = whole.filter((object) => object.type !== 'identity' && object.type !== 'marking-definition');
    const key = (object: { id: string; modified?: unknown }) =>
      `${object.id}@${String(object.modified ?? '')}`;
    expect(new Set(own.map(key)).size).toBe(own.length);
    const count = (type: string) => own.filter((object) => object.type === type).length;
    expect(count('indicator')).toBe(seeds.length);
    expect(count('relationship')).toBe(seeds.length);
    expect(count('sighting')).toBe(8);
    const indicators = own.filter((object) => object.type === 'indicator').map((object) => object.id);
    // Date-added order, ties by id: the two at T0 + 3 s in id order.
    const expectedOrder = [...seeds]
      .sort(
        (a, b) =>
          Date.parse(String((a.document.event as { ingested: string }).ingested)) -
            Date.parse(String((b.document.event as { ingested: string }).ingested)) || (a.id < b.id ? -1 : 1),
      )
      .map((seed) => `indicator--${uuidOf(seed.id)}`);
    expect(indicators).toEqual(expectedOrder);
    for (const seed of seeds) expect(own.some((object) => object.id === seed.id)).toBe(true);
    for (const limit of [1, 2, 3, 5, 7]) {
      const paged = await walk(`${collection(ALL)}/objects/`, limit);
      const pagedOwn = paged.filter(
        (object) => object.type !== 'identity' && object.type !== 'marking-definition',
      );
      expect(pagedOwn.map(key), `limit ${limit}`).toEqual(own.map(key));
    }
    const manifest = await walk(`${collection(ALL)}/manifest/`, 4);
    const manifestOwn = manifest.filter((entry) => !/^(identity|marking-definition)--/.test(entry.id));
    expect(manifestOwn.map((entry) => `${entry.id}@${entry.version}`)).toEqual(
      own.map(
        (object) =>
          `${object.id}@${String(object.modified ?? object.created ?? manifestOwn.find((entry) => entry.id === object.id)?.date_added)}`,
      ),
    );
    expect(manifest.every((entry) => entry.media_type === STIX)).toBe(true);
  });

  it('filters by added_after and match[id|type|version|spec_version]', async () => {
    const after = await walk(`${collection(ALL)}/objects/?added_after=2026-11-01T00:00:03.000Z`, 100);
    const indicatorIds = after.filter((object) => object.type === 'indicator').map((object) => object.id);
    expect(indicatorIds.sort()).toEqual(
      ['192.0.2.44', 'phisher@example.org', seedValue(expired)]
        .map((value) => `indicator--${uuidOf(seedBy(value).id)}`)
        .sort(),
    );
    const types = await walk(`${collection(ALL)}/objects/?match[type]=indicator,domain-name`, 100);
    expect(types.map((object) => object.type).sort()).toEqual(
      [...Array(seeds.length).fill('indicator'), 'domain-name'].sort(),
    );
    const ip = seedBy('203.0.113.7');
    const indicatorId = `indicator--${uuidOf(ip.id)}`;
    const byId = await get(`${collection(ALL)}/objects/?match[id]=${indicatorId},${ip.id}`);
    expect(byId.body.objects.map((object: { id: string }) => object.id).sort()).toEqual(
      [indicatorId, ip.id].sort(),
    );
    const one = await get(`${collection(ALL)}/objects/${indicatorId}/`);
    expect(one.body.objects).toHaveLength(1);
    expect(one.body.objects[0]).toMatchObject({
      id: indicatorId,
      pattern: "[ipv4-addr:value = '203.0.113.7']",
    });
    const version = one.body.objects[0].modified;
    const versions = await get(`${collection(ALL)}/objects/${indicatorId}/versions/`);
    expect(versions.body).toMatchObject({ more: false, versions: [version] });
    expect(
      (await get(`${collection(ALL)}/objects/${indicatorId}/?match[version]=${version}`)).body.objects,
    ).toHaveLength(1);
    expect(
      (await get(`${collection(ALL)}/objects/${indicatorId}/?match[version]=2001-01-01T00:00:00Z`)).status,
    ).toBe(404);
    expect((await get(`${collection(ALL)}/objects/?match[spec_version]=2.0`)).body.objects).toBeUndefined();
    expect(
      (await get(`${collection(ALL)}/objects/?match[spec_version]=2.0,2.1&limit=1`)).body.objects,
    ).toHaveLength(1);
  });

  it('marks an expired indicator revoked', async () => {
    const one = await get(`${collection(ALL)}/objects/indicator--${uuidOf(expired.id)}/`);
    expect(one.body.objects[0].revoked).toBe(true);
    const live = await get(`${collection(ALL)}/objects/indicator--${uuidOf(seedBy('203.0.113.7').id)}/`);
    expect(live.body.objects[0].revoked).toBeUndefined();
  });

  it("applies a collection's filters and ceiling", async () => {
    const partnerA = await walk(`${collection(PARTNER_A_GREEN)}/objects/?match[type]=indicator`, 100);
    // 192.0.2.44 is partner-a GREEN + partner-b AMBER: the GREEN part only.
    expect(partnerA.map((object) => object.name).sort()).toEqual(['192.0.2.44', '203.0.113.7']);
    const text = JSON.stringify(await walk(`${collection(PARTNER_A_GREEN)}/objects/`, 100));
    expect(text).not.toContain('partner-b');
    expect(text).not.toContain(AMBER_MARKING);
    const high = await walk(`${collection(HIGH_SCORE)}/objects/?match[type]=indicator`, 100);
    expect(high.map((object) => object.name)).toEqual(['192.0.2.44']);
  });

  it('holds back documents written less than the settle time ago', async () => {
    const held = await startApiServer(
      {
        elasticsearch,
        index: names.alias,
        keys: new ApiKeyRing([
          { id: full.entry.id, sha256: full.entry.sha256, maxTlp: 'red', ratePerMinute: 600 },
        ]),
        audit,
        rateLimiter: new RateLimiter(redis),
        logger: createLogger({ service: 'api', level: 'silent' }),
        registry: new Registry(),
        maxBodyBytes: 1_048_576,
        taxii: { configuration, settleMs: Date.now() - T0 - 3_500, maxContentLength: 1_048_576 },
      },
      { port: 0, host: '127.0.0.1' },
    );
    try {
      const response = await fetch(
        `http://127.0.0.1:${held.port}${collection(ALL)}/objects/?match[type]=indicator`,
        {
          headers: { authorization: `Bearer ${full.key}`, accept: TAXII },
        },
      );
      const body = (await response.json()) as { objects: unknown[] };
      expect(body.objects).toHaveLength(4);
    } finally {
      await held.close();
    }
  });
});

describe('TAXII and TLP', () => {
  it('never shows a TLP:GREEN key anything AMBER or RED, on any endpoint, manifest included', async () => {
    const key = green.key;
    const objects = await walk(`${collection(ALL)}/objects/`, 3, key);
    const manifest = await walk(`${collection(ALL)}/manifest/`, 3, key);
    const hidden = ['evil.example.com', 'phisher@example.org'].map(seedBy);
    const hiddenIds = hidden.flatMap((seed) => [
      seed.id,
      `indicator--${uuidOf(seed.id)}`,
      `relationship--${uuidOf(seed.id)}`,
    ]);
    for (const id of hiddenIds) {
      expect(objects.some((object) => object.id === id)).toBe(false);
      expect(manifest.some((entry) => entry.id === id)).toBe(false);
      expect((await get(`${collection(ALL)}/objects/${id}/`, { key })).status).toBe(404);
      expect((await get(`${collection(ALL)}/objects/${id}/versions/`, { key })).status).toBe(404);
      expect(
        (await get(`${collection(ALL)}/objects/?match[id]=${id}`, { key })).body.objects,
      ).toBeUndefined();
    }
    const text = JSON.stringify([objects, manifest]);
    for (const secret of ['evil.example.com', 'phisher', AMBER_MARKING, RED_MARKING, 'TLP:AMBER', 'TLP:RED'])
      expect(text).not.toContain(secret);
    // The mixed document shows its GREEN part: partner-a, not partner-b.
    const mixed = objects.filter(
      (object) =>
        object.type === 'sighting' &&
        String(object.sighting_of_ref).endsWith(uuidOf(seedBy('192.0.2.44').id)),
    );
    expect(mixed).toHaveLength(1);
    expect(objects.filter((object) => object.type === 'indicator')).toHaveLength(seeds.length - 2);
  });

  it('audits every TAXII request with its key and route', async () => {
    const before = audited.length;
    await get('/taxii2/', { key: green.key });
    await get(`${collection(ALL)}/manifest/?limit=2`, { key: green.key });
    await get(`${collection(RESTRICTED)}/objects/`, { key: outsider.key });
    await get('/taxii2/', { key: null });
    const records = audited.slice(before);
    expect(records.map((record) => [record.route, record.status, record.key_id ?? null])).toEqual([
      ['taxii_discovery', 200, green.entry.id],
      ['taxii_manifest', 200, green.entry.id],
      ['taxii_objects', 404, outsider.entry.id],
      ['taxii_discovery', 401, null],
    ]);
    expect(records[1]).toMatchObject({
      asked: { query: `collection=${ALL}?limit=2` },
      answered: { returned: 2 },
    });
  });
});
