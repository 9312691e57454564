import { describe, expect, it } from 'vitest';
import { chunksByBytes, type OutgoingRecord } from './producer.js';

describe('chunksByBytes', () => {
  it('splits records into chunks under the byte limit, keeping order and every record', () => {
    const records: OutgoingRecord[] = Array.from({ length: 10 }, (_, index) => ({
      topic: 't',
      key: `k${index}`,
      value: Buffer.alloc(400),
    }));
    const chunks = [...chunksByBytes(records, 1_000)];
    expect(chunks.map((chunk) => chunk.length)).toEqual([2, 2, 2, 2, 2]);
    expect(chunks.flat()).toEqual(records);
  });

  it('puts an oversize record alone in its chunk rather than dropping it', () => {
    const records: OutgoingRecord[] = [
      { topic: 't', key: null, value: Buffer.alloc(5_000) },
      { topic: 't', key: null, value: 'x' },
    ];
    expect([...chunksByBytes(records, 1_000)].map((chunk) => chunk.length)).toEqual([1, 1]);
  });
});
