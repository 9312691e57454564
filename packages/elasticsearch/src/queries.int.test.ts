import { indicatorDocument, requireStack, testElasticsearch, uniqueName } from '@dragnet/test-kit';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { refreshIndex } from './client.js';
import { deleteIndicatorIndex, ensureIndicatorIndex, type IndexNames } from './index-setup.js';
import { countDocuments, findMostReported, getIndicators } from './indicator-queries.js';

describe('reads the services and the CLI do (real node)', () => {
  const client = testElasticsearch();
  const base = uniqueName('dragnet-reads');
  const names: IndexNames = { alias: base, concrete: `${base}-v1`, pattern: `${base}-v*`, template: base };
  const one = indicatorDocument('192.0.2.10', [{ provider: 'partner-a' }]);
  const three = indicatorDocument('192.0.2.30', [
    { provider: 'partner-a' },
    { provider: 'partner-b' },
    { provider: 'partner-c' },
  ]);

  beforeAll(async () => {
    await requireStack();
    await ensureIndicatorIndex(client, names);
    // No periodic refresh: what a non-real-time read sees changes only when the test refreshes.
    await client.indices.putSettings({ index: names.concrete, settings: { refresh_interval: '-1' } });
  });
  afterAll(async () => {
    await deleteIndicatorIndex(client, names);
    await client.close();
  });

  it('multi-gets real-time (unrefreshed writes too) or from the last refresh only', async () => {
    expect(await findMostReported(client, names.alias)).toBeNull();
    // Written through the driver itself (an oracle outside the adapter), never refreshed yet.
    for (const { id, document } of [one, three]) await client.index({ index: names.alias, id, document });
    const ids = [one.id, three.id, 'ipv4-addr--absent'];
    const realtime = await getIndicators(client, names.alias, ids, { sourceIncludes: ['dragnet.id'] });
    expect(realtime.map((stored) => stored.id).sort()).toEqual([one.id, three.id].sort());
    expect(realtime[0]?.document).toEqual({ dragnet: { id: realtime[0]?.id } });
    expect(await getIndicators(client, names.alias, ids, { realtime: false })).toEqual([]);
    expect(await countDocuments(client, names.alias)).toBe(0);

    await refreshIndex(client, names.alias);
    expect((await getIndicators(client, names.alias, ids, { realtime: false })).length).toBe(2);
    expect(await countDocuments(client, names.alias)).toBe(2);
  });

  it('finds the indicator most partners reported', async () => {
    const top = await findMostReported(client, names.alias);
    expect(top?.dragnet).toMatchObject({ id: three.id, provider_count: 3 });
  });
});
