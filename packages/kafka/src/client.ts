import { readFileSync } from 'node:fs';
import type { Logger } from '@dragnet/logger';
import { Kafka, type KafkaConfig, type logCreator, logLevel } from 'kafkajs';
import { asKafkaClient, type KafkaClient } from './driver.js';

/** SASL/SCRAM identity of a client (docs/operations.md, "Security"). */
export interface KafkaSasl {
  mechanism: 'scram-sha-512' | 'scram-sha-256';
  username: string;
  password: string;
}

/** TLS to the brokers: `ca` is PEM text of the CA(s) to trust (default: Node's trust store). */
export interface KafkaTls {
  ca?: string | undefined;
}

export interface KafkaSettings {
  brokers: string[];
  clientId: string;
  logger: Logger;
  /** Connection timeout per broker; kafkajs' default (1 s) is short for a busy 2-core box. */
  connectionTimeoutMs?: number;
  sasl?: KafkaSasl | undefined;
  ssl?: KafkaTls | undefined;
  /** Retries of a failed request or connection (default 8; tests of refusals use 0). */
  retries?: number;
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
  sasl,
  ssl,
  retries = 8,
}: KafkaSettings): KafkaClient {
  const config: KafkaConfig = {
    brokers,
    clientId,
    connectionTimeout: connectionTimeoutMs,
    requestTimeout: 30_000,
    logLevel: logLevel.WARN,
    logCreator: pinoLogCreator(logger),
    retry: { initialRetryTime: 300, retries, maxRetryTime: 10_000 },
  };
  if (sasl) {
    const { username, password } = sasl;
    config.sasl =
      sasl.mechanism === 'scram-sha-256'
        ? { mechanism: 'scram-sha-256', username, password }
        : { mechanism: 'scram-sha-512', username, password };
  }
  // Certificates are always verified: a private CA is added, never verification turned off.
  if (ssl) config.ssl = ssl.ca ? { ca: [ssl.ca], rejectUnauthorized: true } : { rejectUnauthorized: true };
  return asKafkaClient(new Kafka(config));
}

/** The `KAFKA_*` settings `kafkaFromConfig` reads (see @dragnet/config). */
export interface KafkaConfigVariables {
  KAFKA_BROKERS: string[];
  KAFKA_CLIENT_ID?: string | undefined;
  KAFKA_SASL_USERNAME?: string | undefined;
  KAFKA_SASL_PASSWORD?: string | undefined;
  KAFKA_SASL_MECHANISM?: 'scram-sha-512' | 'scram-sha-256' | undefined;
  KAFKA_SSL?: boolean | undefined;
  KAFKA_SSL_CA_FILE?: string | undefined;
}

/** SASL and TLS settings from validated `KAFKA_*` variables; throws naming the variable when one is missing. */
export function kafkaSecurityFromConfig(config: KafkaConfigVariables): Pick<KafkaSettings, 'sasl' | 'ssl'> {
  const settings: Pick<KafkaSettings, 'sasl' | 'ssl'> = {};
  if (config.KAFKA_SASL_USERNAME !== undefined) {
    if (config.KAFKA_SASL_PASSWORD === undefined)
      throw new Error('KAFKA_SASL_PASSWORD (or KAFKA_SASL_PASSWORD_FILE) is needed with KAFKA_SASL_USERNAME');
    settings.sasl = {
      mechanism: config.KAFKA_SASL_MECHANISM ?? 'scram-sha-512',
      username: config.KAFKA_SASL_USERNAME,
      password: config.KAFKA_SASL_PASSWORD,
    };
  }
  if (config.KAFKA_SSL_CA_FILE !== undefined)
    settings.ssl = { ca: readFileSync(config.KAFKA_SSL_CA_FILE, 'utf8') };
  else if (config.KAFKA_SSL) settings.ssl = {};
  return settings;
}

/** The client for a service's validated `KAFKA_*` settings; the client id defaults to `dragnet-<service>`. */
export function kafkaFromConfig(config: KafkaConfigVariables, service: string, logger: Logger): KafkaClient {
  return createKafka({
    brokers: config.KAFKA_BROKERS,
    clientId: config.KAFKA_CLIENT_ID ?? `dragnet-${service}`,
    logger,
    ...kafkaSecurityFromConfig(config),
  });
}
