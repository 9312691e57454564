import { randomUUID } from 'node:crypto';
import { type DestinationStream, type Logger, type LoggerOptions, pino } from 'pino';

export type { Logger } from 'pino';

export interface LoggerSettings {
  service: string;
  level?: string;
  /** Force pretty or JSON output; default: pretty when stdout is a terminal. */
  pretty?: boolean;
  /** Where JSON lines go (default stdout); tests pass a sink. */
  destination?: DestinationStream;
}

/**
 * One pino logger per process. JSON lines by default (what log shippers want),
 * human-readable when attached to a terminal. Every line carries `service`.
 * Secrets and IOC values never go into log fields: log ids, counts and codes.
 */
export function createLogger({ service, level = 'info', pretty, destination }: LoggerSettings): Logger {
  const usePretty = destination === undefined && (pretty ?? Boolean(process.stdout.isTTY));
  const options: LoggerOptions = {
    level,
    base: { service, pid: process.pid },
    timestamp: pino.stdTimeFunctions.isoTime,
    redact: {
      paths: ['password', '*.password', 'apiKey', '*.apiKey', 'authorization', '*.authorization'],
      censor: '[redacted]',
    },
  };
  if (usePretty) {
    return pino({
      ...options,
      transport: {
        target: 'pino-pretty',
        options: { translateTime: 'SYS:HH:MM:ss.l', ignore: 'pid,hostname' },
      },
    });
  }
  return destination ? pino(options, destination) : pino(options);
}

/** A correlation id follows a record from intake to index (Kafka header, job data, ES document). */
export const newCorrelationId = (): string => randomUUID();
