import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { requireStack, stack, testElasticsearch, uniqueName } from '@dragnet/test-kit';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createElasticsearchClient, type ElasticsearchSettings } from './client.js';
import { asElasticsearchClient, elasticsearchDriver } from './driver.js';

/** These tests probe the server's refusals through the driver itself. */
const driverFor = (settings: ElasticsearchSettings) =>
  elasticsearchDriver(createElasticsearchClient(settings));

import { deleteIndicatorIndex, ensureIndicatorIndex, type IndexNames } from './index-setup.js';

// The secured stack (DRAGNET_STACK_SECURITY=on): TLS with the stack's CA, file-realm users
// with the roles in infra/local/elasticsearch-roles.yml.
const secretsDir =
  process.env.DRAGNET_SECRETS_DIR ??
  join(process.env.DRAGNET_STACK_DIR ?? join(process.cwd(), '.stack'), 'secrets');
const ca = () => readFileSync(process.env.DRAGNET_CA_FILE ?? join(secretsDir, 'ca.crt'), 'utf8');
const as = (user: string, password = readFileSync(join(secretsDir, `es-${user}.password`), 'utf8').trim()) =>
  driverFor({
    url: stack.ELASTICSEARCH_URL,
    username: user,
    password,
    ca: ca(),
    requestTimeoutMs: 10_000,
  });

const statusOf = async (request: Promise<unknown>): Promise<number | string> => {
  try {
    await request;
    return 200;
  } catch (error) {
    return (error as { meta?: { statusCode?: number } }).meta?.statusCode ?? (error as Error).name;
  }
};

describe('Elasticsearch security (secured stack)', () => {
  const suffix = uniqueName('sec');
  const alias = `logs-ti_dragnet.indicator-${suffix}`;
  const names: IndexNames = {
    alias,
    concrete: `${alias}-v1`,
    pattern: `${alias}-v*`,
    template: `dragnet-indicators-${suffix}`,
  };
  const admin = testElasticsearch();

  beforeAll(async () => {
    if (!stack.ELASTICSEARCH_URL.startsWith('https:') || !stack.ELASTICSEARCH_USERNAME)
      throw new Error(
        'these tests need the secured stack: DRAGNET_STACK_SECURITY=on (see docs/local-stack.md)',
      );
    await requireStack();
  });

  afterAll(async () => {
    await deleteIndicatorIndex(admin, names);
    await admin.close();
  });

  it('answers 401 without credentials or with a wrong password, and refuses plain HTTP', async () => {
    const anonymous = driverFor({
      url: stack.ELASTICSEARCH_URL,
      ca: ca(),
      requestTimeoutMs: 5_000,
    });
    expect(await statusOf(anonymous.cluster.health())).toBe(401);
    expect(await statusOf(as('dragnet-reader', 'wrong-password').cluster.health())).toBe(401);
    const plain = driverFor({
      url: stack.ELASTICSEARCH_URL.replace('https:', 'http:'),
      username: 'dragnet-admin',
      password: readFileSync(join(secretsDir, 'es-dragnet-admin.password'), 'utf8').trim(),
      requestTimeoutMs: 5_000,
    });
    expect(await statusOf(plain.cluster.health())).not.toBe(200);
  });

  it('lets the indexer set up its index and write documents, and nothing else', async () => {
    const indexer = as('dragnet-indexer');
    await ensureIndicatorIndex(asElasticsearchClient(indexer), names);
    await ensureIndicatorIndex(asElasticsearchClient(indexer), names); // the second start: mapping update, alias exists
    const written = await indexer.index({
      index: alias,
      id: 'ipv4-addr--1',
      document: { a: 1 },
      refresh: true,
    });
    expect(written.result).toBe('created');
    expect(await statusOf(indexer.indices.delete({ index: names.concrete }))).toBe(403);
    expect(await statusOf(indexer.delete({ index: alias, id: 'ipv4-addr--1' }))).toBe(403);
    expect(await statusOf(indexer.search({ index: alias }))).toBe(403);
    expect(await statusOf(indexer.index({ index: `other-${suffix}`, document: { a: 1 } }))).toBe(403);
  });

  it('lets the reader and the API read indicators and not write them', async () => {
    for (const user of ['dragnet-reader', 'dragnet-api']) {
      const client = as(user);
      const found = await client.search({ index: alias, query: { ids: { values: ['ipv4-addr--1'] } } });
      expect(found.hits.hits.map((hit) => hit._id)).toEqual(['ipv4-addr--1']);
      expect(await statusOf(client.index({ index: alias, id: 'forged', document: { a: 2 } })), user).toBe(
        403,
      );
      expect(await statusOf(client.indices.delete({ index: names.concrete })), user).toBe(403);
    }
  });
});
