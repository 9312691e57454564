import {
  ELASTICSEARCH_ENV,
  KAFKA_ENV,
  LOG_ENV,
  NAMESPACE_ENV,
  parseConfig,
  REDIS_ENV,
  RUNTIME_ENV,
} from '@dragnet/config';
import { type Names, names } from '@dragnet/contracts';
import type { ElasticsearchClient as Elasticsearch } from '@dragnet/elasticsearch';
import type { KafkaClient as Kafka } from '@dragnet/kafka';
import { loadRegistry, type PartnerRegistry } from '@dragnet/partners';
import type { KeyStore as Redis } from '@dragnet/redis';
import { z } from 'zod';
import type { Server } from './command.js';

export const cliEnv = z.object({
  ...LOG_ENV,
  ...KAFKA_ENV,
  ...ELASTICSEARCH_ENV,
  ...REDIS_ENV,
  ...NAMESPACE_ENV,
  PARTNERS_FILE: z.string().optional(),
  /** Kibana for `dragnet kibana setup`; may carry `user:password@`. */
  KIBANA_URL: z.string().url().default('http://127.0.0.1:5601'),
  /** The partners' listener, printed in a new partner's client settings. */
  KAFKA_PARTNER_BROKERS: z.string().min(1).optional(),
  /** The CA certificate a partner needs, named in its client settings (default: the local stack's). */
  DRAGNET_CA_FILE: z.string().min(1).optional(),
  /** The local stack's state folder (Kafka's own tools for SCRAM credentials live under it; default `.stack`). */
  DRAGNET_STACK_DIR: z.string().min(1).optional(),
  /** Java classpath and binary of Kafka's tools for `dragnet partner` (default: the local stack's `kafka/libs`, `java`). */
  KAFKA_TOOLS_CLASSPATH: z.string().min(1).optional(),
  KAFKA_TOOLS_JAVA: z.string().min(1).optional(),
  /** `dragnet up`: where the supervisor keeps its state and the services' logs. */
  DRAGNET_RUN_DIR: z.string().min(1).default('.stack/run'),
  /** `dragnet up`: the checkout the services run from (default: the working directory). */
  DRAGNET_HOME: z.string().min(1).optional(),
  /** `dragnet up` / `down`: the services' SIGTERM deadline, which the supervisor waits for before SIGKILL. */
  SHUTDOWN_TIMEOUT_MS: RUNTIME_ENV.SHUTDOWN_TIMEOUT_MS,
});

export type CliConfig = z.infer<typeof cliEnv>;

/** What a command gets: configuration and the clients of the servers it declared (`Command.needs`). */
export interface CliContext {
  /** Validated on first read (a ConfigError names the variable). */
  readonly config: CliConfig;
  /** The process environment, for what the CLI starts (`dragnet up` hands it to the services). */
  readonly environment: NodeJS.ProcessEnv;
  /** `--verbose` or `LOG_LEVEL=debug`: library logs and stack traces reach the terminal. */
  verbose: boolean;
  /** The topics, groups, indices, queues and Redis keys of `DRAGNET_NAMESPACE` (read with `config`). */
  readonly names: Names;
  /** The partners registry, its topics named in `names`' namespace. */
  registry(): PartnerRegistry;
  kafka(): Kafka;
  elasticsearch(): Elasticsearch;
  redis(): Redis;
  close(): Promise<void>;
}

export function loadCliConfig(env: NodeJS.ProcessEnv = process.env): CliConfig {
  return parseConfig(cliEnv.extend({ LOG_LEVEL: LOG_ENV.LOG_LEVEL.default('warn') }), env);
}

/** `--verbose`, or `LOG_LEVEL` asks for debug output. */
export const isVerbose = (flag: boolean, env: NodeJS.ProcessEnv = process.env): boolean =>
  flag || env.LOG_LEVEL === 'debug' || env.LOG_LEVEL === 'trace';

type Clients = { kafka?: Kafka; elasticsearch?: Elasticsearch; redis?: Redis };

/**
 * Builds the clients of `needs` only, importing each adapter (kafkajs, the
 * Elasticsearch client, ioredis) on demand: a command that needs Redis does
 * not pay for loading kafkajs. Library logging (kafkajs' JSON lines, its
 * idempotent-producer notice) is silenced unless verbose, and then goes to
 * stderr, never into a command's output.
 */
export async function openCliContext(
  needs: readonly Server[],
  options: { verbose: boolean; config?: CliConfig },
): Promise<CliContext> {
  let parsed = options.config;
  // Parsed on first use: a command that needs no server (api-key create) works whatever KAFKA_* say.
  const config = () => {
    parsed ??= loadCliConfig();
    return parsed;
  };
  const verbose = isVerbose(options.verbose);
  const clients: Clients = {};
  if (needs.includes('kafka')) {
    const [{ kafkaFromConfig }, { createLogger }] = await Promise.all([
      import('@dragnet/kafka'),
      import('@dragnet/logger'),
    ]);
    const level = verbose ? config().LOG_LEVEL : 'silent';
    const logger = createLogger({ service: 'cli', level, pretty: false, destination: process.stderr });
    clients.kafka = kafkaFromConfig(config(), 'cli', logger);
  }
  if (needs.includes('elasticsearch')) {
    const { elasticsearchFromConfig } = await import('@dragnet/elasticsearch');
    clients.elasticsearch = elasticsearchFromConfig(config());
  }
  if (needs.includes('redis')) {
    const { createKeyStore } = await import('@dragnet/redis');
    const redis = createKeyStore({
      url: config().REDIS_URL,
      connectionName: 'dragnet-cli',
      maxRetriesPerRequest: null,
    });
    // Reconnection errors are the preflight's and the command's to report, not ioredis' console output.
    redis.onError(() => undefined);
    clients.redis = redis;
  }
  return contextOf(config, verbose, clients);
}

function contextOf(config: () => CliConfig, verbose: boolean, clients: Clients): CliContext {
  const undeclared = (server: Server): never => {
    throw new Error(`internal: the command uses ${server} without declaring it in \`needs\``);
  };
  let named: Names | undefined;
  const namesOf = () => {
    named ??= names(config().DRAGNET_NAMESPACE);
    return named;
  };
  return {
    get config() {
      return config();
    },
    get names() {
      return namesOf();
    },
    environment: process.env,
    verbose,
    registry: () => loadRegistry(config().PARTNERS_FILE, namesOf()),
    kafka: () => clients.kafka ?? undeclared('kafka'),
    elasticsearch: () => clients.elasticsearch ?? undeclared('elasticsearch'),
    redis: () => clients.redis ?? undeclared('redis'),
    async close() {
      await clients.elasticsearch?.close();
      clients.redis?.disconnect();
    },
  };
}
