import type { ConsumedRecord } from '@dragnet/kafka';
import { describe, expect, it } from 'vitest';
import { prepareBatch } from './index-batch.js';

let offset = 0;
const change = (value: string): ConsumedRecord => ({
  topic: 'dragnet.indicators.changes',
  partition: 0,
  offset: String(offset++),
  key: null,
  value: Buffer.from(value),
  headers: {},
  timestamp: 0,
});
const doc = (id: string, revision: number) => change(JSON.stringify({ dragnet: { id, revision } }));

describe('prepareBatch', () => {
  it('keeps only the highest revision per indicator, whatever the order', () => {
    const batch = prepareBatch([doc('a', 2), doc('b', 1), doc('a', 3), doc('a', 1)]);
    expect(batch.items.map((item) => [item.id, item.version])).toEqual([
      ['a', 3],
      ['b', 1],
    ]);
    expect(batch.superseded).toBe(2);
  });

  it('reports records that are not JSON or lack id/revision, naming what is wrong', () => {
    const batch = prepareBatch([change('{oops'), change('{"dragnet":{"id":"x","revision":0}}')]);
    expect(batch.items).toHaveLength(0);
    expect(batch.invalid.map((entry) => entry.message)).toEqual([
      expect.stringMatching(/^change record is not JSON/),
      'change record lacks dragnet.id or a positive integer dragnet.revision',
    ]);
  });
});
