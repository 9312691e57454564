import { describe, expect, it } from 'vitest';
import { InfrastructureError, isInfrastructureError } from './isolation.js';
import {
  chunksByBytes,
  classifyProduceError,
  type OutgoingRecord,
  type ProducerConnection,
  serialisedProducer,
} from './producer.js';

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

/** kafkajs' protocol errors carry the broker's answer as `type`. */
const brokerAnswer = (type: string) =>
  Object.assign(new Error(type), { name: 'KafkaJSProtocolError', type, retriable: false });

/** A scripted driver connection (a unit test of the send discipline, not of Kafka): one answer per send. */
function scriptedDriver(answers: (Error | null)[]) {
  const log: string[] = [];
  let connections = 0;
  let inFlight = 0;
  let maxInFlight = 0;
  const connect = async (): Promise<ProducerConnection> => {
    const id = ++connections;
    return {
      async send(chunk) {
        inFlight++;
        maxInFlight = Math.max(maxInFlight, inFlight);
        await new Promise((resolve) => setTimeout(resolve, 5));
        inFlight--;
        const answer = answers.shift() ?? null;
        log.push(`producer ${id}: ${chunk.length} ${answer ? answer.message : 'ok'}`);
        if (answer) throw answer;
      },
      async disconnect() {
        log.push(`producer ${id}: disconnected`);
      },
    };
  };
  return { connect, log, maxInFlight: () => maxInFlight, connections: () => connections };
}

const records = (n: number): OutgoingRecord[] =>
  Array.from({ length: n }, (_, index) => ({ topic: 't', key: `k${index}`, value: 'v' }));

describe('classifyProduceError', () => {
  it('blames the records only for answers about them', () => {
    expect(classifyProduceError(brokerAnswer('MESSAGE_TOO_LARGE'))).toBe('records');
    expect(classifyProduceError(new Error('retries', { cause: brokerAnswer('INVALID_RECORD') }))).toBe(
      'records',
    );
    expect(classifyProduceError(brokerAnswer('OUT_OF_ORDER_SEQUENCE_NUMBER'))).toBe('replace-producer');
    expect(classifyProduceError(brokerAnswer('UNKNOWN_PRODUCER_ID'))).toBe('replace-producer');
    for (const type of ['TOPIC_AUTHORIZATION_FAILED', 'BROKER_NOT_AVAILABLE', 'KAFKAJS_UNKNOWN_ERROR_CODE'])
      expect(classifyProduceError(brokerAnswer(type)), type).toBe('infrastructure');
    expect(classifyProduceError(new TypeError('x'))).toBe('infrastructure');
  });
});

describe('serialisedProducer', () => {
  it('sends one batch at a time, in call order', async () => {
    const driver = scriptedDriver([]);
    const producer = serialisedProducer(await driver.connect(), driver.connect, 1_000_000);
    await Promise.all([producer.send(records(1)), producer.send(records(2)), producer.send(records(3))]);
    expect(driver.maxInFlight()).toBe(1);
    expect(driver.log).toEqual(['producer 1: 1 ok', 'producer 1: 2 ok', 'producer 1: 3 ok']);
  });

  it('a lost producer state: the send fails as infrastructure, and the next send uses a new producer', async () => {
    const driver = scriptedDriver([brokerAnswer('OUT_OF_ORDER_SEQUENCE_NUMBER')]);
    const producer = serialisedProducer(await driver.connect(), driver.connect, 1_000_000);
    const failed = await producer.send(records(2)).catch((error: unknown) => error);
    expect(failed).toBeInstanceOf(InfrastructureError);
    expect(isInfrastructureError(failed)).toBe(true);
    await producer.send(records(2));
    expect(driver.log).toEqual([
      'producer 1: 2 OUT_OF_ORDER_SEQUENCE_NUMBER',
      'producer 1: disconnected',
      'producer 2: 2 ok',
    ]);
  });

  it('never blames the records for a broker that refuses the producer (a missing grant): infrastructure', async () => {
    const driver = scriptedDriver([brokerAnswer('TOPIC_AUTHORIZATION_FAILED')]);
    const producer = serialisedProducer(await driver.connect(), driver.connect, 1_000_000);
    const failed = await producer.send(records(1)).catch((error: unknown) => error);
    expect(isInfrastructureError(failed)).toBe(true);
    expect(String((failed as Error).message)).toMatch(/TOPIC_AUTHORIZATION_FAILED/);
    expect(driver.connections()).toBe(1);
  });

  it('passes an answer about the records on unchanged (the consumer dead-letters them)', async () => {
    const tooLarge = brokerAnswer('MESSAGE_TOO_LARGE');
    const driver = scriptedDriver([tooLarge]);
    const producer = serialisedProducer(await driver.connect(), driver.connect, 1_000_000);
    expect(await producer.send(records(1)).catch((error: unknown) => error)).toBe(tooLarge);
    // A failed send does not block the next one.
    await producer.send(records(1));
    expect(driver.log.at(-1)).toBe('producer 1: 1 ok');
  });
});
