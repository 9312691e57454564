import {
  deleteIndicatorIndex,
  ensureIndicatorIndex,
  type IndexNames,
  refreshIndex,
} from '@dragnet/elasticsearch';
import type { BatchProducer, OutgoingRecord } from '@dragnet/kafka';
import { indicatorDocument, requireStack, testElasticsearch, uniqueName } from '@dragnet/test-kit';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { sweep } from './maintenance.js';

const MINUTE = 60_000;
const CURRENT_VERSIONS = 'epoch@1,ip@1';

describe('maintenance sweep on a real index: indicators left unenriched', () => {
  const client = testElasticsearch();
  const base = uniqueName('dragnet-sweep');
  const names: IndexNames = { alias: base, concrete: `${base}-v1`, pattern: `${base}-v*`, template: base };
  const now = Date.now();
  const ids: Record<string, string> = {};

  /** An indexed document as the pipeline writes it, written `ageMs` ago, with overrides of `dragnet.*`. */
  const put = async (name: string, value: string, ageMs: number, dragnet: Record<string, unknown> = {}) => {
    const { id, document } = indicatorDocument(value, [{ provider: 'partner-a', seen: now - ageMs }], {
      now: now - ageMs,
    });
    Object.assign(document.dragnet as Record<string, unknown>, dragnet);
    await client.index({ index: names.alias, id, document });
    ids[name] = id;
  };

  beforeAll(async () => {
    await requireStack();
    await ensureIndicatorIndex(client, names);
    await put('lostJob', '198.51.100.1', 20 * MINUTE);
    await put('lostJobToo', '198.51.100.2', 30 * MINUTE);
    await put('justWritten', '198.51.100.3', 1 * MINUTE);
    await put('enriched', '198.51.100.4', 20 * MINUTE, {
      enriched: true,
      enrichment: { versions: CURRENT_VERSIONS },
    });
    await put('expired', '198.51.100.5', 20 * MINUTE, { expired: true, active: false });
    // Also due for a re-score (written > RESCORE_AFTER_MS ago): asked for once, not twice.
    await put('alsoStale', '198.51.100.6', 25 * 60 * MINUTE);
    await refreshIndex(client, names.alias);
  });
  afterAll(async () => {
    await deleteIndicatorIndex(client, names);
    await client.close();
  });

  const run = async (overrides: {
    reenrichUnenrichedAfterMs?: number;
    maxPerRun?: number;
    pageSize?: number;
  }) => {
    const sent: OutgoingRecord[] = [];
    const producer: BatchProducer = {
      send: async (records) => {
        sent.push(...records);
      },
      disconnect: async () => {},
    };
    const result = await sweep({
      elasticsearch: client,
      names: { index: names, topics: { mergeInput: 'canonical-test' } },
      producer,
      versionsKey: CURRENT_VERSIONS,
      rescoreAfterMs: 24 * 60 * MINUTE,
      reenrichUnenrichedAfterMs: overrides.reenrichUnenrichedAfterMs ?? 10 * MINUTE,
      maxPerRun: overrides.maxPerRun ?? 1_000,
      now,
      ...(overrides.pageSize ? { pageSize: overrides.pageSize } : {}),
    });
    const requests = sent.map((record) => {
      expect(record.topic).toBe('canonical-test');
      expect(record.headers?.['dragnet-record-type']).toBe('refresh');
      const body = JSON.parse(String(record.value)) as { id: string; reason: string };
      expect(record.key).toBe(body.id);
      return [body.id, body.reason];
    });
    return { result, requests };
  };

  it('asks for active indicators still unenriched past the grace period, once each', async () => {
    const { result, requests } = await run({ pageSize: 1 });
    expect(requests.sort()).toEqual(
      [
        [ids.lostJob, 'reenrich'],
        [ids.lostJobToo, 'reenrich'],
        [ids.alsoStale, 'rescore'],
      ].sort(),
    );
    expect(result).toEqual({ requested: 3, byReason: { expiry: 0, rescore: 1, reenrich: 2 } });
  });

  it('leaves them alone when the grace period is 0 (off), and stays within the per-run maximum', async () => {
    expect((await run({ reenrichUnenrichedAfterMs: 0 })).requests).toEqual([[ids.alsoStale, 'rescore']]);
    const capped = await run({ maxPerRun: 2, pageSize: 1 });
    expect(capped.result.requested).toBe(2);
    expect(new Set(capped.requests.map(([id]) => id)).size).toBe(2);
  });
});
