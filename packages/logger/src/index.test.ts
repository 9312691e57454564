import { Writable } from 'node:stream';
import { describe, expect, it } from 'vitest';
import { createLogger, newCorrelationId } from './index.js';

describe('createLogger', () => {
  it('creates a JSON logger with the service name when not on a terminal', () => {
    const logger = createLogger({ service: 'normalizer', pretty: false, level: 'debug' });
    expect(logger.level).toBe('debug');
    expect(logger.bindings()).toMatchObject({ service: 'normalizer' });
  });

  it('redacts secrets in structured fields', () => {
    const lines: string[] = [];
    const sink = new Writable({
      write(chunk, _encoding, done) {
        lines.push(String(chunk));
        done();
      },
    });
    const logger = createLogger({ service: 'api', destination: sink });
    logger.info({ password: 'hunter2', es: { apiKey: 'k3y' } }, 'connected');
    const line = JSON.parse(lines.join('')) as Record<string, unknown>;
    expect(line).toMatchObject({
      service: 'api',
      msg: 'connected',
      password: '[redacted]',
      es: { apiKey: '[redacted]' },
    });
  });

  it('issues distinct correlation ids', () => {
    expect(newCorrelationId()).not.toBe(newCorrelationId());
  });
});
