/**
 * Per-record isolation, the batch consumer's last line of defence: a batch
 * whose handler throws is retried, then bisected until the records that throw
 * on their own are found. Those are handed back (to be dead-lettered) and the
 * rest is processed, so one poison record never stops a partition. Faults of
 * the infrastructure (Kafka, Redis, Elasticsearch unreachable) are different:
 * they say nothing about the records, so they are retried — with capped
 * backoff, for as long as they last — and never dead-letter good data.
 *
 * Pure: no Kafka here; the consumer supplies the handler, the clock and the
 * "should I go on" test.
 */

/** Throw it (or wrap a cause in it) from a handler to say "not this record's fault: retry, never dead-letter". */
export class InfrastructureError extends Error {
  override readonly name = 'InfrastructureError';
}

/** Node system error codes of a peer that is down or unreachable. */
const NETWORK_CODES = new Set([
  'ECONNREFUSED',
  'ECONNRESET',
  'ECONNABORTED',
  'ETIMEDOUT',
  'EPIPE',
  'EHOSTUNREACH',
  'ENETUNREACH',
  'ENOTFOUND',
  'EAI_AGAIN',
]);

/** Error names of the Elasticsearch, kafkajs and ioredis clients that mean "the server is not answering". */
const INFRASTRUCTURE_NAMES = new Set([
  // @elastic/transport
  'ConnectionError',
  'TimeoutError',
  'NoLivingConnectionsError',
  // A reply that is not Elasticsearch's (a proxy or load balancer answering, or stripping its headers).
  'ProductNotSupportedError',
  'DeserializationError',
  // kafkajs
  'KafkaJSConnectionError',
  'KafkaJSConnectionClosedError',
  'KafkaJSRequestTimeoutError',
  'KafkaJSNumberOfRetriesExceeded',
  'KafkaJSBrokerNotFound',
  'KafkaJSLockTimeout',
  'KafkaJSMetadataNotLoaded',
  // ioredis, and @dragnet/redis when a batch got no replies
  'MaxRetriesPerRequestError',
  'RedisUnavailableError',
]);

const REDIS_UNAVAILABLE = /^(READONLY|LOADING|MASTERDOWN|OOM|BUSY|CLUSTERDOWN|TRYAGAIN|NOREPLICAS)\b/;

/**
 * The default classification: an `InfrastructureError`, a network error, a
 * client error of a server that is down (see `INFRASTRUCTURE_NAMES`), a
 * kafkajs error marked retriable, an Elasticsearch answer 429 or 5xx, or an
 * error caused by one of these. Anything else is the record's fault.
 */
export function isInfrastructureError(error: unknown): boolean {
  let current = error;
  // A bounded walk of `cause`: a cyclic chain must not hang the consumer.
  for (let depth = 0; depth < 5 && current instanceof Error; depth++) {
    if (current instanceof InfrastructureError) return true;
    if (INFRASTRUCTURE_NAMES.has(current.name)) return true;
    const { code, retriable, statusCode } = current as Error & {
      code?: unknown;
      retriable?: unknown;
      statusCode?: unknown;
    };
    if (typeof code === 'string' && NETWORK_CODES.has(code)) return true;
    if (current.name.startsWith('KafkaJS') && retriable === true) return true;
    if (current.name === 'ResponseError' && typeof statusCode === 'number')
      if (statusCode === 429 || statusCode >= 500) return true;
    // ioredis rejects commands on a closed connection with a plain Error.
    if (current.message === 'Connection is closed.') return true;
    // Redis answers of a server that cannot serve right now (a replica after failover, loading, out of memory).
    if (current.name === 'ReplyError' && REDIS_UNAVAILABLE.test(current.message)) return true;
    current = current.cause;
  }
  return false;
}

/**
 * Answers of the group coordinator that mean "this member may no longer own
 * its partitions" (a rebalance under way, a stale generation, a coordinator
 * that moved). They say nothing about the records: a batch that meets one is
 * given up uncommitted, never retried or bisected here — while a rebalance is
 * being prepared every heartbeat fails, so a bisection would dead-letter every
 * record, and the coordinator still accepts that generation's commit.
 */
const GROUP_MEMBERSHIP_TYPES = new Set([
  'REBALANCE_IN_PROGRESS',
  'ILLEGAL_GENERATION',
  'UNKNOWN_MEMBER_ID',
  'FENCED_INSTANCE_ID',
  'NOT_COORDINATOR_FOR_GROUP',
  'GROUP_COORDINATOR_NOT_AVAILABLE',
  'GROUP_LOAD_IN_PROGRESS',
]);

/** The group coordinator's membership answer in `error`'s cause chain (itself included), or null. */
export function groupMembershipAnswer(error: unknown): Error | null {
  let current = error;
  for (let depth = 0; depth < 5 && current instanceof Error; depth++) {
    const { type } = current as Error & { type?: unknown };
    if (typeof type === 'string' && GROUP_MEMBERSHIP_TYPES.has(type)) return current;
    current = current.cause;
  }
  return null;
}

/** True when `error` (or one of its causes) is one of the group coordinator's membership answers. */
export const isGroupMembershipError = (error: unknown): boolean => groupMembershipAnswer(error) !== null;

export interface IsolationPolicy {
  /** Tries of the whole batch before it is bisected (a flaky failure gets a second chance). */
  batchAttempts: number;
  /** First backoff delay; it doubles per consecutive failure. */
  baseDelayMs: number;
  /** Backoff cap, also for infrastructure faults that are retried until they clear. */
  maxDelayMs: number;
}

/** 3 tries (≈ 0.2 s, 0.4 s apart), then bisect; infrastructure faults back off up to 30 s between tries. */
export const DEFAULT_ISOLATION_POLICY: IsolationPolicy = {
  batchAttempts: 3,
  baseDelayMs: 200,
  maxDelayMs: 30_000,
};

/**
 * Exponential backoff with "equal jitter": between half and all of
 * `base · 2^attempt`, capped. Never near zero, so a dead server is not
 * hammered; spread, so the instances of a stage do not retry in lockstep.
 */
export function backoffDelayMs(attempt: number, policy: IsolationPolicy, random: () => number): number {
  const ceiling = Math.min(policy.maxDelayMs, policy.baseDelayMs * 2 ** Math.min(attempt, 30));
  return Math.round(ceiling / 2 + (ceiling / 2) * random());
}

export type FailureKind = 'infrastructure' | 'stage_error';

export interface IsolationHooks<T> {
  handle(records: T[]): Promise<void>;
  /** True for an infrastructure fault (retried, never dead-lettered). */
  isRetriable(error: unknown): boolean;
  /** False once the batch must be given up (stopping, partition revoked): then nothing is committed. */
  shouldContinue(): boolean;
  /** Waits (the consumer heartbeats meanwhile). */
  sleep(ms: number): Promise<void>;
  onFailure?(kind: FailureKind, error: unknown, records: number): void;
  onSuccess?(records: number): void;
  random?: () => number;
}

export type IsolationOutcome<T> =
  /** Every record was handled except `poisoned`, which threw on its own (not an infrastructure fault). */
  | { settled: true; poisoned: { record: T; error: unknown }[]; calls: number }
  /** Given up (`shouldContinue` turned false): commit nothing, the batch comes again. */
  | { settled: false; calls: number };

const ABANDON = Symbol('abandon');

/**
 * Handles `records`, isolating the ones that throw. A stage error on the whole
 * batch is retried `batchAttempts` times, then the batch is split in halves,
 * each tried once and split again on failure, down to single records: k
 * poison records among n cost O(k · log n) handler calls. An infrastructure
 * fault at any level is retried at that level with capped backoff until it
 * clears (or the batch is given up).
 */
export async function settleBatch<T>(
  records: T[],
  hooks: IsolationHooks<T>,
  policy: IsolationPolicy = DEFAULT_ISOLATION_POLICY,
): Promise<IsolationOutcome<T>> {
  const random = hooks.random ?? Math.random;
  const poisoned: { record: T; error: unknown }[] = [];
  let calls = 0;
  // Consecutive infrastructure faults, across levels: the backoff keeps growing while the fault lasts.
  let infrastructureFailures = 0;

  async function attempt(part: T[]): Promise<{ kind: FailureKind; error: unknown } | null> {
    if (!hooks.shouldContinue()) throw ABANDON;
    calls++;
    try {
      await hooks.handle(part);
    } catch (error) {
      const kind: FailureKind = hooks.isRetriable(error) ? 'infrastructure' : 'stage_error';
      hooks.onFailure?.(kind, error, part.length);
      // The failure may itself be why the batch is given up (the member lost its partitions): no verdict then.
      if (!hooks.shouldContinue()) throw ABANDON;
      return { kind, error };
    }
    infrastructureFailures = 0;
    hooks.onSuccess?.(part.length);
    return null;
  }

  async function settle(part: T[], tries: number): Promise<void> {
    let stageErrors = 0;
    for (;;) {
      const failure = await attempt(part);
      if (!failure) return;
      if (failure.kind === 'infrastructure') {
        await hooks.sleep(backoffDelayMs(infrastructureFailures++, policy, random));
        continue;
      }
      stageErrors++;
      if (stageErrors < tries) {
        await hooks.sleep(backoffDelayMs(stageErrors - 1, policy, random));
        continue;
      }
      if (part.length === 1) {
        poisoned.push({ record: part[0] as T, error: failure.error });
        return;
      }
      const middle = Math.ceil(part.length / 2);
      await settle(part.slice(0, middle), 1);
      await settle(part.slice(middle), 1);
      return;
    }
  }

  try {
    await settle(records, Math.max(1, policy.batchAttempts));
  } catch (error) {
    if (error === ABANDON) return { settled: false, calls };
    throw error;
  }
  return { settled: true, poisoned, calls };
}
