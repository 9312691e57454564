import { names } from '@dragnet/contracts';
import { createBatchProducer, deleteTopics, ensureTopics } from '@dragnet/kafka';
import { openQueue, retryFailed } from '@dragnet/queue';
import { readTopic, requireStack, stack, testKafka, uniqueName } from '@dragnet/test-kit';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createEnrichmentWorker } from './worker.js';

describe('enrichment worker on real Redis and Kafka', () => {
  const kafka = testKafka();
  const prefix = uniqueName('enricher');
  // A namespace of its own: results must go to its merge input topic.
  const NAMES = names(uniqueName('enricher-ns'));
  const resultTopic = NAMES.topics.mergeInput;
  const connection = { url: stack.REDIS_URL, maxRetriesPerRequest: null } as const;

  beforeAll(async () => {
    await requireStack();
    await ensureTopics(kafka, [{ topic: resultTopic, partitions: 1 }]);
  });
  afterAll(async () => {
    await deleteTopics(kafka, [resultTopic]);
  });

  it('retries a throwing provider, keeps the job as failed with its error, and `jobs retry` re-drives it once fixed', async () => {
    let broken = true;
    let calls = 0;
    const producer = await createBatchProducer(kafka);
    const worker = createEnrichmentWorker({
      enrich: (kind, value) => {
        calls++;
        if (broken) throw new Error(`ASN database unreadable while enriching a ${kind}`);
        return { dragnet: { ip_class: value.startsWith('10.') ? 'private' : 'public' } };
      },
      versions: { ip: 3 },
      producer,
      connection,
      concurrency: 1,
      prefix,
      names: NAMES,
    });
    const queue = openQueue('enrichment', connection, prefix);
    const targets = [
      { id: 'ipv4-addr--a', kind: 'ipv4', value: '10.0.0.1', correlationId: 'report-a' },
      { id: 'ipv4-addr--b', kind: 'ipv4', value: '8.8.4.4' },
    ];
    const job = await queue.add(
      'enrich',
      { targets, versions: { ip: 3 } },
      { jobId: 'enrich-test', attempts: 3, backoffMs: 20 },
    );
    await expect(queue.waitForJob(job, 20_000)).rejects.toThrow(/ASN database unreadable/);
    const [failed] = await queue.failed();
    expect(failed?.id).toBe('enrich-test');
    expect(failed?.attemptsMade).toBe(3);
    expect(failed?.failedReason).toBe('ASN database unreadable while enriching a ipv4');
    expect(calls).toBe(3);

    broken = false;
    expect(await retryFailed(queue, [])).toBe(1);
    await expect(queue.waitForJob(job, 20_000)).resolves.toEqual({ enriched: 2 });
    const results = await readTopic(kafka, resultTopic, 2);
    expect(
      results.map((record) => [
        record.key?.toString(),
        JSON.parse(String(record.value)).result.dragnet.ip_class,
      ]),
    ).toEqual([
      ['ipv4-addr--a', 'private'],
      ['ipv4-addr--b', 'public'],
    ]);
    expect(results.every((record) => record.headers['dragnet-record-type'] === 'enrichment')).toBe(true);
    // Each result carries the correlation id of the report that scheduled its target, and only that.
    expect(results.map((record) => record.headers['dragnet-correlation-id'])).toEqual([
      'report-a',
      undefined,
    ]);
    expect(await queue.counts('failed')).toEqual({ failed: 0 });

    await worker.close();
    await queue.obliterate();
    await queue.close();
    await producer.disconnect();
  });
});
