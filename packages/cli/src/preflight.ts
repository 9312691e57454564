import type { Server } from './command.js';
import type { CliConfig, CliContext } from './context.js';
import { describeServerFailure, type ServerTarget } from './failures.js';

/** Each probe gets this long: a dead server is reported well within 5 s of the command starting. */
export const PROBE_TIMEOUT_MS = 3_500;

/** Where each server is, from the CLI's configuration (credentials never part of an address). */
export function serverTargets(config: CliConfig): Record<Server, ServerTarget> {
  const redis = new URL(config.REDIS_URL);
  return {
    kafka: {
      server: 'kafka',
      address: config.KAFKA_BROKERS.join(','),
      user: config.KAFKA_SASL_USERNAME,
      addressVariable: 'KAFKA_BROKERS',
      credentialVariables: 'KAFKA_SASL_USERNAME / KAFKA_SASL_PASSWORD_FILE',
      caVariable: 'KAFKA_SSL_CA_FILE',
    },
    elasticsearch: {
      server: 'elasticsearch',
      address: new URL(config.ELASTICSEARCH_URL).origin,
      user: config.ELASTICSEARCH_API_KEY ? 'the API key' : config.ELASTICSEARCH_USERNAME,
      addressVariable: 'ELASTICSEARCH_URL',
      credentialVariables: config.ELASTICSEARCH_API_KEY
        ? 'ELASTICSEARCH_API_KEY'
        : 'ELASTICSEARCH_USERNAME / ELASTICSEARCH_PASSWORD_FILE',
      caVariable: 'ELASTICSEARCH_CA_FILE',
    },
    redis: {
      server: 'redis',
      address: `${redis.protocol}//${redis.host}`,
      user: redis.username ? decodeURIComponent(redis.username) : 'default',
      addressVariable: 'REDIS_URL',
      credentialVariables: 'REDIS_USERNAME / REDIS_PASSWORD_FILE',
      caVariable: 'NODE_EXTRA_CA_CERTS',
    },
  };
}

class ProbeTimeout extends Error {
  override readonly name = 'ProbeTimeout';
}

function withTimeout<T>(work: Promise<T>, ms: number): Promise<T> {
  let timer: NodeJS.Timeout | undefined;
  const timeout = new Promise<never>((_, reject) => {
    timer = setTimeout(() => reject(new ProbeTimeout(`no answer in ${ms / 1_000} s`)), ms);
  });
  return Promise.race([work, timeout]).finally(() => clearTimeout(timer));
}

/** Connects and authenticates once, without retries (the command's own client retries; a probe must not). */
async function probeKafka(config: CliConfig): Promise<void> {
  const [{ createKafka, describeBrokers, kafkaSecurityFromConfig }, { createLogger }] = await Promise.all([
    import('@dragnet/kafka'),
    import('@dragnet/logger'),
  ]);
  const kafka = createKafka({
    brokers: config.KAFKA_BROKERS,
    clientId: 'dragnet-cli-probe',
    logger: createLogger({ service: 'cli', level: 'silent', pretty: false }),
    connectionTimeoutMs: PROBE_TIMEOUT_MS - 500,
    retries: 0,
    ...kafkaSecurityFromConfig(config),
  });
  // A request after the handshake: a listener that wants SASL lets the connection open, then drops it.
  await describeBrokers(kafka);
}

/** Cluster health: `GET /` does not exist on every distribution; 403 means the credentials were accepted. */
async function probeElasticsearch(context: CliContext): Promise<void> {
  try {
    const { probeElasticsearch: probe } = await import('@dragnet/elasticsearch');
    await probe(context.elasticsearch(), PROBE_TIMEOUT_MS - 500);
  } catch (error) {
    if ((error as { meta?: { statusCode?: number } }).meta?.statusCode === 403) return;
    throw error;
  }
}

/** PING on a connection of its own that gives up at the first failure (the command's waits forever). */
async function probeRedis(config: CliConfig): Promise<void> {
  const { createKeyStore } = await import('@dragnet/redis');
  const redis = createKeyStore({
    url: config.REDIS_URL,
    connectionName: 'dragnet-cli-probe',
    maxRetriesPerRequest: 0,
  });
  let lastError: unknown;
  redis.onError((error: unknown) => {
    lastError ??= error;
  });
  try {
    await redis.ping();
  } catch (error) {
    // "Reached the max retries per request limit" says less than the connection error before it.
    throw lastError ?? error;
  } finally {
    redis.disconnect();
  }
}

/**
 * Checks every server a command needs, in parallel, each within
 * `PROBE_TIMEOUT_MS`. Returns one line for all the failures (none: null), so
 * a stack that is down is reported as one line, never as a retry storm.
 */
export async function checkServers(context: CliContext, needs: readonly Server[]): Promise<string | null> {
  // A command that needs no server does not read (nor validate) their settings.
  if (needs.length === 0) return null;
  const targets = serverTargets(context.config);
  const probes: Record<Server, () => Promise<void>> = {
    kafka: () => probeKafka(context.config),
    elasticsearch: () => probeElasticsearch(context),
    redis: () => probeRedis(context.config),
  };
  const results = await Promise.all(
    needs.map((server) =>
      withTimeout(probes[server](), PROBE_TIMEOUT_MS).then(
        () => null,
        (error: unknown) => describeServerFailure(targets[server], error),
      ),
    ),
  );
  const problems = results.filter((line): line is string => line !== null);
  return problems.length > 0 ? problems.join('; ') : null;
}
