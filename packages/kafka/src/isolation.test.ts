import { describe, expect, it } from 'vitest';
import {
  backoffDelayMs,
  DEFAULT_ISOLATION_POLICY,
  groupMembershipAnswer,
  InfrastructureError,
  type IsolationHooks,
  isGroupMembershipError,
  isInfrastructureError,
  settleBatch,
} from './isolation.js';

/** Hooks around a handler that throws on some records; sleeps are recorded, not waited. */
function harness(throwsOn: (record: number) => Error | null, options: { continueFor?: number } = {}) {
  const handled: number[] = [];
  const sleeps: number[] = [];
  const failures: string[] = [];
  let calls = 0;
  const hooks: IsolationHooks<number> = {
    async handle(records) {
      calls++;
      for (const record of records) {
        const error = throwsOn(record);
        if (error) throw error;
      }
      handled.push(...records);
    },
    isRetriable: isInfrastructureError,
    shouldContinue: () => calls < (options.continueFor ?? Number.POSITIVE_INFINITY),
    sleep: async (ms) => {
      sleeps.push(ms);
    },
    onFailure: (kind) => failures.push(kind),
    random: () => 0.5,
  };
  return { hooks, handled, sleeps, failures };
}

const range = (n: number) => Array.from({ length: n }, (_, i) => i);

describe('settleBatch', () => {
  it('handles a good batch in one call', async () => {
    const { hooks, handled, sleeps } = harness(() => null);
    const outcome = await settleBatch(range(10), hooks);
    expect(outcome).toEqual({ settled: true, poisoned: [], calls: 1 });
    expect(handled).toEqual(range(10));
    expect(sleeps).toEqual([]);
  });

  it('retries the whole batch 3 times with growing backoff, then bisects down to the poison record', async () => {
    const poison = new Error('cannot read properties of undefined');
    const { hooks, handled, sleeps, failures } = harness((record) => (record === 37 ? poison : null));
    const outcome = await settleBatch(range(100), hooks);
    expect(outcome.settled).toBe(true);
    if (!outcome.settled) return;
    expect(outcome.poisoned).toEqual([{ record: 37, error: poison }]);
    // Every good record handled exactly once (halves that succeeded are never redone).
    expect([...handled].sort((a, b) => a - b)).toEqual(range(100).filter((record) => record !== 37));
    expect(new Set(handled).size).toBe(99);
    // 3 batch tries, then one call per half along the path to the poison record: O(log n).
    expect(outcome.calls).toBeLessThanOrEqual(3 + 2 * Math.ceil(Math.log2(100)));
    // Two pauses between the three batch tries: 200·2⁰ and 200·2¹, each 75 % of its ceiling at random 0.5.
    expect(sleeps).toEqual([150, 300]);
    expect(failures.every((kind) => kind === 'stage_error')).toBe(true);
  });

  it('isolates several poison records, including adjacent ones and the first and last', async () => {
    const poisonous = new Set([0, 5, 6, 63]);
    const { hooks, handled } = harness((record) =>
      poisonous.has(record) ? new TypeError(`bad ${record}`) : null,
    );
    const outcome = await settleBatch(range(64), hooks);
    expect(outcome.settled && outcome.poisoned.map(({ record }) => record)).toEqual([0, 5, 6, 63]);
    expect(handled.length).toBe(60);
  });

  it('a single-record batch that keeps throwing is tried 3 times, then poisoned', async () => {
    const { hooks } = harness(() => new Error('boom'));
    const outcome = await settleBatch([1], hooks);
    expect(outcome).toMatchObject({ settled: true, calls: 3 });
  });

  it('never poisons on an infrastructure fault: retries the same records with capped backoff until it clears', async () => {
    let down = 12;
    const handled: number[] = [];
    const sleeps: number[] = [];
    const outcome = await settleBatch(
      range(8),
      {
        async handle(records) {
          if (down-- > 0) throw new InfrastructureError('Redis unreachable');
          handled.push(...records);
        },
        isRetriable: isInfrastructureError,
        shouldContinue: () => true,
        sleep: async (ms) => {
          sleeps.push(ms);
        },
        random: () => 1,
      },
      { ...DEFAULT_ISOLATION_POLICY, maxDelayMs: 5_000 },
    );
    expect(outcome).toEqual({ settled: true, poisoned: [], calls: 13 });
    expect(handled).toEqual(range(8));
    expect(sleeps.slice(0, 6)).toEqual([200, 400, 800, 1_600, 3_200, 5_000]);
    expect(Math.max(...sleeps)).toBe(5_000);
  });

  it('an infrastructure fault hit on a single record during the bisection is retried, not dead-lettered', async () => {
    let redisDown = false;
    const { hooks, handled } = harness((record) => {
      if (record === 3) {
        redisDown = !redisDown; // fails every other time it is reached
        if (redisDown)
          return Object.assign(new Error('connect ECONNREFUSED 127.0.0.1:6379'), { code: 'ECONNREFUSED' });
      }
      return record === 6 ? new Error('poison') : null;
    });
    const outcome = await settleBatch(range(8), hooks);
    expect(outcome.settled && outcome.poisoned.map(({ record }) => record)).toEqual([6]);
    expect(handled).toContain(3);
  });

  it('gives up without a verdict when it should not go on (stopping, partition revoked)', async () => {
    const { hooks } = harness(() => new InfrastructureError('down'), { continueFor: 4 });
    expect(await settleBatch(range(4), hooks)).toEqual({ settled: false, calls: 4 });
  });

  it('gives up without a verdict when the failure itself ends the batch (the member lost its partitions)', async () => {
    // A handler whose heartbeat answered "rebalancing": the consumer stops the batch, so the record is not poison.
    let membershipLost = false;
    const { hooks } = harness(() => {
      membershipLost = true;
      return new Error('The group is rebalancing, so a rejoin is needed');
    });
    const outcome = await settleBatch(
      [7],
      { ...hooks, shouldContinue: () => !membershipLost },
      {
        ...DEFAULT_ISOLATION_POLICY,
        batchAttempts: 1,
      },
    );
    expect(outcome).toEqual({ settled: false, calls: 1 });
  });
});

describe('backoffDelayMs', () => {
  it('doubles from the base, stays within [ceiling/2, ceiling] and never exceeds the cap', () => {
    const policy = { batchAttempts: 3, baseDelayMs: 100, maxDelayMs: 1_000 };
    expect(backoffDelayMs(0, policy, () => 0)).toBe(50);
    expect(backoffDelayMs(0, policy, () => 1)).toBe(100);
    expect(backoffDelayMs(3, policy, () => 1)).toBe(800);
    expect(backoffDelayMs(4, policy, () => 1)).toBe(1_000);
    expect(backoffDelayMs(1_000, policy, () => 0.999)).toBeLessThanOrEqual(1_000);
  });
});

describe('isInfrastructureError', () => {
  const named = (name: string, extra: Record<string, unknown> = {}) =>
    Object.assign(Object.defineProperty(new Error(name), 'name', { value: name }), extra);
  it.each([
    ['an InfrastructureError', new InfrastructureError('x')],
    ['a network error code', Object.assign(new Error('x'), { code: 'ECONNRESET' })],
    ['an Elasticsearch ConnectionError', named('ConnectionError')],
    ['an Elasticsearch 503', named('ResponseError', { statusCode: 503 })],
    ['a reply that is not from Elasticsearch (a proxy)', named('ProductNotSupportedError')],
    ['an Elasticsearch 429', named('ResponseError', { statusCode: 429 })],
    ['a kafkajs connection error', named('KafkaJSConnectionError')],
    ['a retriable kafkajs error', named('KafkaJSProtocolError', { retriable: true })],
    ['an ioredis closed connection', new Error('Connection is closed.')],
    [
      'a Redis replica refusing writes after a failover',
      Object.defineProperty(new Error("READONLY You can't write against a read only replica."), 'name', {
        value: 'ReplyError',
      }),
    ],
    ['a wrapped cause', new Error('send failed', { cause: named('KafkaJSNumberOfRetriesExceeded') })],
  ])('%s is infrastructure', (_, error) => expect(isInfrastructureError(error)).toBe(true));
  it.each([
    ['a TypeError', new TypeError('x.y is undefined')],
    ['an Elasticsearch 400', named('ResponseError', { statusCode: 400 })],
    [
      'a non-retriable kafkajs error (message too large)',
      named('KafkaJSProtocolError', { retriable: false }),
    ],
    ['a string', 'boom'],
    [
      'a Redis script error',
      Object.defineProperty(new Error('ERR Error running script'), 'name', { value: 'ReplyError' }),
    ],
  ])('%s is the record’s fault', (_, error) => expect(isInfrastructureError(error)).toBe(false));
  it('stops on a cyclic cause chain', () => {
    const a = new Error('a');
    const b = new Error('b', { cause: a });
    (a as { cause?: unknown }).cause = b;
    expect(isInfrastructureError(a)).toBe(false);
  });
});

describe('isGroupMembershipError', () => {
  /** The shape of kafkajs' protocol errors: a name, the protocol's error type, a retriable flag. */
  const protocolError = (type: string, retriable = false) =>
    Object.assign(new Error(type), { name: 'KafkaJSProtocolError', type, retriable });

  it("knows the coordinator answers that end the member's hold on its partitions", () => {
    for (const type of [
      'REBALANCE_IN_PROGRESS',
      'ILLEGAL_GENERATION',
      'UNKNOWN_MEMBER_ID',
      'NOT_COORDINATOR_FOR_GROUP',
      'GROUP_COORDINATOR_NOT_AVAILABLE',
    ])
      expect(isGroupMembershipError(protocolError(type)), type).toBe(true);
  });

  it('finds one wrapped as a cause, and nothing else', () => {
    const answer = protocolError('REBALANCE_IN_PROGRESS');
    expect(isGroupMembershipError(new Error('merge failed', { cause: answer }))).toBe(true);
    expect(groupMembershipAnswer(new Error('merge failed', { cause: answer }))).toBe(answer);
    expect(isGroupMembershipError(protocolError('MESSAGE_TOO_LARGE'))).toBe(false);
    expect(isGroupMembershipError(new Error('REBALANCE_IN_PROGRESS'))).toBe(false);
    expect(isGroupMembershipError({ type: 'REBALANCE_IN_PROGRESS' })).toBe(false);
  });
});
