/**
 * Before a benchmark builds anything or starts a service: does the stack the
 * environment names answer? First a TCP connection to each server's
 * addresses (Node built-ins only: a stack that is down is known in
 * milliseconds, before the drivers take seconds to load on a busy machine),
 * then each server asked once through its driver, without client retries,
 * all three at once under one deadline (credentials, TLS, a hung server).
 * Either way one line — not a storm of kafkajs retry logs for 40 s.
 */
import { connect } from 'node:net';

/** Every probe is over by then (a refused connection is reported at once; a silent port waits this long). */
export const PROBE_DEADLINE_MS = 3_000;

const UNREACHABLE = new Set(['ECONNREFUSED', 'ECONNRESET', 'EHOSTUNREACH', 'ENOTFOUND', 'ETIMEDOUT']);

/** The first error code in an error and its causes (kafkajs wraps them in `originalError`, others in `cause`). */
function errorCode(error: unknown): string | undefined {
  let current = error;
  for (let depth = 0; depth < 6 && typeof current === 'object' && current !== null; depth++) {
    const record = current as { code?: unknown; cause?: unknown; originalError?: unknown; message?: unknown };
    if (typeof record.code === 'string') return record.code;
    const inText =
      typeof record.message === 'string'
        ? /\b(E(?:CONN[A-Z]+|HOSTUNREACH|NETUNREACH|NOTFOUND|TIMEDOUT|PIPE))\b/.exec(record.message)?.[1]
        : undefined;
    if (inText) return inText;
    current = record.originalError ?? record.cause;
  }
  return undefined;
}

export interface ProbeFailure {
  /** "Kafka at 127.0.0.1:19092" — an address, never a credential. */
  server: string;
  error: unknown;
}

/** One line for every failed server and what to do about it (no newline in it). */
export function describeStackFailures(failures: readonly ProbeFailure[]): string {
  const codes = failures.map(({ error }) => errorCode(error));
  const parts = failures.map(({ server, error }, index) => {
    const code = codes[index];
    const detail = code ?? (error instanceof Error ? error.message : String(error));
    return `${server} (${detail})`;
  });
  const allUnreachable = codes.every((code) => code !== undefined && UNREACHABLE.has(code));
  const fix = allUnreachable
    ? 'start the local stack with `pnpm stack:up` and `source` its environment, or point KAFKA_BROKERS / ELASTICSEARCH_URL / REDIS_URL at a running one'
    : 'check the stack environment (KAFKA_SASL_*, ELASTICSEARCH_USERNAME / _PASSWORD_FILE / _CA_FILE, REDIS_USERNAME / _PASSWORD_FILE)';
  return `bench: the stack does not answer: ${parts.join('; ')} — ${fix}`.replace(/[\r\n]+/g, ' ');
}

function withDeadline<T>(work: Promise<T>, ms: number): Promise<T> {
  let timer: NodeJS.Timeout | undefined;
  const deadline = new Promise<never>((_, reject) => {
    timer = setTimeout(() => reject(new Error(`no answer in ${ms / 1_000} s`)), ms);
  });
  return Promise.race([work, deadline]).finally(() => clearTimeout(timer));
}

interface Endpoint {
  host: string;
  port: number;
}

/**
 * Where each server is, from the environment, with the defaults of
 * @dragnet/config (KAFKA_ENV, ELASTICSEARCH_ENV, REDIS_ENV) for unset ones.
 * Addresses only: user info in a URL is dropped, never printed.
 */
export function stackEndpoints(env: NodeJS.ProcessEnv): { server: string; endpoints: Endpoint[] }[] {
  const hostPort = (entry: string): Endpoint => {
    const at = entry.trim().lastIndexOf(':');
    return {
      host: entry
        .trim()
        .slice(0, at)
        .replace(/^\[|\]$/g, ''),
      port: Number(entry.trim().slice(at + 1)),
    };
  };
  const fromUrl = (text: string, defaultPort: number): Endpoint => {
    const url = new URL(text.trim());
    const port = url.port ? Number(url.port) : url.protocol === 'https:' ? 443 : defaultPort;
    return { host: url.hostname.replace(/^\[|\]$/g, ''), port };
  };
  const brokers = (env.KAFKA_BROKERS?.trim() || '127.0.0.1:19092').split(',').filter(Boolean);
  const elasticsearch = (env.ELASTICSEARCH_URL?.trim() || 'http://127.0.0.1:19200')
    .split(',')
    .filter(Boolean);
  const sentinels = env.REDIS_SENTINELS?.trim();
  const redis = sentinels
    ? sentinels.split(',').filter(Boolean).map(hostPort)
    : [fromUrl(env.REDIS_URL?.trim() || 'redis://127.0.0.1:16379', 6379)];
  const show = (endpoints: Endpoint[]) => endpoints.map(({ host, port }) => `${host}:${port}`).join(',');
  const esEndpoints = elasticsearch.map((url) => fromUrl(url, 80));
  return [
    { server: `Kafka at ${show(brokers.map(hostPort))}`, endpoints: brokers.map(hostPort) },
    { server: `Elasticsearch at ${show(esEndpoints)}`, endpoints: esEndpoints },
    {
      server: sentinels ? `Redis (Sentinels at ${show(redis)})` : `Redis at ${show(redis)}`,
      endpoints: redis,
    },
  ];
}

/** Resolves once a TCP connection to the endpoint opens; rejects with the socket's error (ECONNREFUSED…). */
function tcpConnect({ host, port }: Endpoint, ms: number): Promise<void> {
  return new Promise((resolve, reject) => {
    const socket = connect({ host, port, timeout: ms });
    socket.once('connect', () => {
      socket.destroy();
      resolve();
    });
    socket.once('timeout', () => {
      socket.destroy();
      reject(Object.assign(new Error(`no connection in ${ms / 1_000} s`), { code: 'ETIMEDOUT' }));
    });
    socket.once('error', reject);
  });
}

/** A server is reachable when one of its addresses accepts a connection (any broker bootstraps Kafka). */
async function reachable(endpoints: Endpoint[]): Promise<unknown | null> {
  const errors = await Promise.all(
    endpoints.map((endpoint) =>
      tcpConnect(endpoint, PROBE_DEADLINE_MS).then(
        () => null,
        (error: unknown) => error,
      ),
    ),
  );
  return errors.includes(null) ? null : errors[0];
}

/** Kafka, Elasticsearch and Redis of the environment; null when all answer, else one line saying what to do. */
export async function checkStack(env: NodeJS.ProcessEnv = process.env): Promise<string | null> {
  let endpoints: ReturnType<typeof stackEndpoints>;
  try {
    endpoints = stackEndpoints(env);
  } catch (error) {
    return `bench: the stack's addresses are not valid: ${(error as Error).message}`.replace(/[\r\n]+/g, ' ');
  }
  const refused: ProbeFailure[] = [];
  for (const [index, error] of (
    await Promise.all(endpoints.map((entry) => reachable(entry.endpoints)))
  ).entries())
    if (error !== null) refused.push({ server: endpoints[index]!.server, error });
  if (refused.length > 0) return describeStackFailures(refused);
  return checkWithDrivers(endpoints.map((entry) => entry.server));
}

/** Connects and authenticates with each driver once (the stack's settings: credentials, CA). */
async function checkWithDrivers(labels: string[]): Promise<string | null> {
  let kit: typeof import('@dragnet/test-kit');
  try {
    kit = await import('@dragnet/test-kit');
  } catch (error) {
    // The stack's settings themselves are wrong (a password file that is not there).
    return `bench: the stack environment is not valid: ${(error as Error).message}`.replace(/[\r\n]+/g, ' ');
  }
  const [{ createKafka, describeBrokers, kafkaSecurityFromConfig }, { probeElasticsearch }] =
    await Promise.all([import('@dragnet/kafka'), import('@dragnet/elasticsearch')]);
  const { stack } = kit;
  const [kafkaLabel, elasticsearchLabel, redisLabel] = labels;
  const probes: [string, () => Promise<unknown>][] = [
    [
      kafkaLabel!,
      () =>
        describeBrokers(
          createKafka({
            brokers: stack.KAFKA_BROKERS,
            clientId: 'dragnet-bench-probe',
            logger: kit.testLogger.child({}, { level: 'silent' }),
            connectionTimeoutMs: PROBE_DEADLINE_MS - 500,
            retries: 0,
            ...kafkaSecurityFromConfig(stack),
          }),
        ),
    ],
    [elasticsearchLabel!, () => probeElasticsearch(kit.testElasticsearch(), PROBE_DEADLINE_MS - 500)],
    [redisLabel!, () => pingRedis(kit.testRedis())],
  ];
  const results = await Promise.all(
    probes.map(([server, probe]) =>
      withDeadline(probe(), PROBE_DEADLINE_MS).then(
        () => null,
        (error: unknown): ProbeFailure => ({ server, error }),
      ),
    ),
  );
  const failures = results.filter((result): result is ProbeFailure => result !== null);
  return failures.length > 0 ? describeStackFailures(failures) : null;
}

/** PING, reporting the connection's own error (ioredis would print an unhandled one, and retry). */
async function pingRedis(redis: ReturnType<typeof import('@dragnet/test-kit').testRedis>): Promise<void> {
  let connectionError: unknown;
  redis.on('error', (error: unknown) => {
    connectionError ??= error;
  });
  try {
    await redis.ping();
  } catch (error) {
    throw connectionError ?? error;
  } finally {
    redis.disconnect();
  }
}
