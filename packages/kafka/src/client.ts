import type { Logger } from '@dragnet/logger';
import { Kafka, type KafkaConfig, type logCreator, logLevel } from 'kafkajs';

export interface KafkaSettings {
  brokers: string[];
  clientId: string;
  logger: Logger;
  /** Connection timeout per broker; kafkajs' default (1 s) is short for a busy 2-core box. */
  connectionTimeoutMs?: number;
}

const LEVEL_NAMES: Record<number, 'error' | 'warn' | 'info' | 'debug'> = {
  [logLevel.ERROR]: 'error',
  [logLevel.WARN]: 'warn',
  [logLevel.INFO]: 'info',
  [logLevel.DEBUG]: 'debug',
};

/** Routes kafkajs' own logging into the process's pino logger; INFO chatter (joins, rebalances) goes to debug. */
function pinoLogCreator(logger: Logger): logCreator {
  const child = logger.child({ component: 'kafkajs' });
  return () =>
    ({ level, log }) => {
      const { message, ...extra } = log;
      const name = level === logLevel.INFO ? 'debug' : (LEVEL_NAMES[level] ?? 'debug');
      child[name](extra, message);
    };
}

export function createKafka({
  brokers,
  clientId,
  logger,
  connectionTimeoutMs = 5_000,
}: KafkaSettings): Kafka {
  const config: KafkaConfig = {
    brokers,
    clientId,
    connectionTimeout: connectionTimeoutMs,
    requestTimeout: 30_000,
    logLevel: logLevel.WARN,
    logCreator: pinoLogCreator(logger),
    retry: { initialRetryTime: 300, retries: 8, maxRetryTime: 10_000 },
  };
  return new Kafka(config);
}

export type { Kafka } from 'kafkajs';

/** The client for a service's validated `KAFKA_*` settings; the client id defaults to `dragnet-<service>`. */
export function kafkaFromConfig(
  config: { KAFKA_BROKERS: string[]; KAFKA_CLIENT_ID?: string | undefined },
  service: string,
  logger: Logger,
): Kafka {
  return createKafka({
    brokers: config.KAFKA_BROKERS,
    clientId: config.KAFKA_CLIENT_ID ?? `dragnet-${service}`,
    logger,
  });
}
