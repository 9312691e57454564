import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { z } from 'zod';
import { ConfigError, ELASTICSEARCH_ENV, KAFKA_ENV, parseConfig, REDIS_ENV } from './index.js';

const schema = z.object({ ...KAFKA_ENV, ...ELASTICSEARCH_ENV, ...REDIS_ENV });
const dir = mkdtempSync(join(tmpdir(), 'dragnet-config-'));
const secretFile = (name: string, content: string) => {
  const path = join(dir, name);
  writeFileSync(path, content);
  return path;
};

const problemsOf = (env: Record<string, string>): string => {
  try {
    parseConfig(schema, env);
  } catch (error) {
    expect(error).toBeInstanceOf(ConfigError);
    return (error as ConfigError).message;
  }
  throw new Error('expected a ConfigError');
};

describe('secrets in configuration', () => {
  it('reads NAME from NAME_FILE, without the trailing newline', () => {
    const config = parseConfig(schema, {
      KAFKA_SASL_USERNAME: 'normalizer',
      KAFKA_SASL_PASSWORD_FILE: secretFile('kafka', 's3cret-kafka\n'),
      ELASTICSEARCH_PASSWORD_FILE: secretFile('es', 's3cret-es'),
    });
    expect(config.KAFKA_SASL_PASSWORD).toBe('s3cret-kafka');
    expect(config.ELASTICSEARCH_PASSWORD).toBe('s3cret-es');
  });

  it('refuses NAME and NAME_FILE together, and names an unreadable file without its content', () => {
    const message = problemsOf({
      KAFKA_SASL_PASSWORD: 'inline-secret',
      KAFKA_SASL_PASSWORD_FILE: secretFile('both', 'file-secret'),
      REDIS_PASSWORD_FILE: join(dir, 'missing'),
    });
    expect(message).toContain(
      'KAFKA_SASL_PASSWORD: set either KAFKA_SASL_PASSWORD or KAFKA_SASL_PASSWORD_FILE',
    );
    expect(message).toContain('REDIS_PASSWORD_FILE: cannot read');
    expect(message).toContain('ENOENT');
    expect(message).not.toContain('inline-secret');
  });

  it('never prints a secret in a validation error', () => {
    // An invalid SASL mechanism next to secrets that also appear in other variables' values.
    const message = problemsOf({
      KAFKA_SASL_PASSWORD: '',
      ELASTICSEARCH_PASSWORD: 'hunter2-es-secret',
      KAFKA_SASL_MECHANISM: 'plain hunter2-es-secret',
      REDIS_URL: 'http://user:redis-url-secret@127.0.0.1:1',
    });
    expect(message).toContain('KAFKA_SASL_MECHANISM');
    expect(message).toContain('REDIS_URL: expected a redis:// or rediss:// URL');
    expect(message).not.toContain('hunter2-es-secret');
    expect(message).not.toContain('redis-url-secret');
    expect(message).toContain('[redacted]');
  });

  it('describes an invalid secret variable by its length only', () => {
    const message = problemsOf({ DRAGNET_STACK_SECURITY: 'off', KAFKA_SASL_PASSWORD: '' });
    expect(message).toBe(
      'KAFKA_SASL_PASSWORD: Too small: expected string to have >=1 characters (got a secret of 0 characters)',
    );
  });

  it('puts REDIS_USERNAME and REDIS_PASSWORD into REDIS_URL (encoded)', () => {
    const config = parseConfig(schema, {
      REDIS_URL: 'redis://127.0.0.1:26379',
      REDIS_USERNAME: 'api',
      REDIS_PASSWORD_FILE: secretFile('redis', 'p@ss/word'),
    });
    expect(config.REDIS_URL).toBe('redis://api:p%40ss%2Fword@127.0.0.1:26379');
    expect(decodeURIComponent(new URL(config.REDIS_URL).password)).toBe('p@ss/word');
  });

  it('with DRAGNET_STACK_SECURITY=on defaults to the secured local stack, and explicit settings win', () => {
    const secrets = mkdtempSync(join(tmpdir(), 'dragnet-secrets-'));
    writeFileSync(join(secrets, 'kafka-admin.password'), 'k\n');
    writeFileSync(join(secrets, 'es-dragnet-admin.password'), 'e\n');
    writeFileSync(join(secrets, 'redis-dragnet-admin.password'), 'r\n');
    const config = parseConfig(schema, { DRAGNET_STACK_SECURITY: 'on', DRAGNET_SECRETS_DIR: secrets });
    expect(config.KAFKA_SASL_USERNAME).toBe('admin');
    expect(config.KAFKA_SASL_PASSWORD).toBe('k');
    expect(config.ELASTICSEARCH_URL).toBe('https://127.0.0.1:19200');
    expect(config.ELASTICSEARCH_CA_FILE).toBe(join(secrets, 'ca.crt'));
    expect(config.REDIS_URL).toBe('redis://dragnet-admin:r@127.0.0.1:16379');
    const explicit = parseConfig(schema, {
      DRAGNET_STACK_SECURITY: 'on',
      DRAGNET_SECRETS_DIR: secrets,
      KAFKA_SASL_USERNAME: 'indexer',
      KAFKA_SASL_PASSWORD: 'own',
      REDIS_URL: 'redis://api:own@127.0.0.1:1',
    });
    expect([explicit.KAFKA_SASL_USERNAME, explicit.KAFKA_SASL_PASSWORD]).toEqual(['indexer', 'own']);
    expect(explicit.REDIS_URL).toBe('redis://api:own@127.0.0.1:1');
    // Off: the open stack, no identities.
    const open = parseConfig(schema, { DRAGNET_STACK_SECURITY: 'off' });
    expect(open.KAFKA_SASL_USERNAME).toBeUndefined();
    expect(open.REDIS_URL).toBe('redis://127.0.0.1:16379');
  });
});
