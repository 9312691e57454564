import { requireStack, testElasticsearch, uniqueName } from '@dragnet/test-kit';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { writeVersioned } from './bulk-writer.js';
import { deleteIndicatorIndex, ensureIndicatorIndex, type IndexNames } from './index-setup.js';

describe('Elasticsearch (real node)', () => {
  const client = testElasticsearch();
  const base = uniqueName('dragnet-test');
  const names: IndexNames = { alias: base, concrete: `${base}-v1`, pattern: `${base}-v*`, template: base };

  beforeAll(async () => {
    await requireStack();
    await ensureIndicatorIndex(client, names);
    await ensureIndicatorIndex(client, names);
  });
  afterAll(async () => {
    await deleteIndicatorIndex(client, names);
    await client.close();
  });

  it('indexes through the alias and finds the document by search', async () => {
    const outcome = await writeVersioned(
      client,
      [
        {
          id: 'ipv4-addr--1',
          version: 1,
          document: {
            dragnet: { value: '192.0.2.1', kind: 'ipv4' },
            threat: { indicator: { ip: '192.0.2.1' } },
          },
        },
      ],
      { index: names.alias, refresh: true },
    );
    expect(outcome).toMatchObject({ written: 1, conflicts: [], rejected: [], unavailable: [] });
    const found = await client.search({
      index: names.alias,
      query: { term: { 'threat.indicator.ip': '192.0.2.1' } },
    });
    expect(found.hits.hits.map((hit) => hit._id)).toEqual(['ipv4-addr--1']);
  });

  it('never lets a stale version overwrite a newer one', async () => {
    await writeVersioned(client, [{ id: 'x', version: 5, document: { dragnet: { value: 'new' } } }], {
      index: names.alias,
    });
    const outcome = await writeVersioned(
      client,
      [{ id: 'x', version: 3, document: { dragnet: { value: 'old' } } }],
      { index: names.alias },
    );
    expect(outcome.conflicts.map((item) => item.id)).toEqual(['x']);
    const current = await client.get<{ dragnet: { value: string } }>({ index: names.alias, id: 'x' });
    expect(current._source?.dragnet.value).toBe('new');
    expect(current._version).toBe(5);
  });

  it('returns documents the mapping rejects, with the reason, instead of retrying them', async () => {
    const outcome = await writeVersioned(
      client,
      [
        { id: 'bad', version: 1, document: { threat: { indicator: { ip: 'not-an-ip' } } } },
        { id: 'good', version: 1, document: { threat: { indicator: { ip: '192.0.2.9' } } } },
      ],
      { index: names.alias },
    );
    expect(outcome.written).toBe(1);
    expect(outcome.rejected).toHaveLength(1);
    expect(outcome.rejected[0]).toMatchObject({ status: 400, item: { id: 'bad' } });
    expect(outcome.rejected[0]?.reason).toMatch(/document_parsing_exception|mapper_parsing_exception/);
  });
});
