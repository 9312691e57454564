// Secrets never reach a log: not the stack's passwords, not a password a
// service was given in a bad configuration. Reads the services' log files of
// this run (`.stack/test-logs`, every e2e file's services) and their output.
import { spawnSync } from 'node:child_process';
import { existsSync, readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { REPO_ROOT, requireStack, testElasticsearch, testKafka } from '@dragnet/test-kit';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import {
  createPipelineResources,
  dropPipelineResources,
  Pipeline,
  pushGenerated,
  SYNTHETIC_PARTNERS,
  waitForIdle,
} from './pipeline-kit.js';

const kafka = testKafka();
const elasticsearch = testElasticsearch();
const SECRETS_DIR = process.env.DRAGNET_SECRETS_DIR ?? join(REPO_ROOT, '.stack', 'secrets');
const LOG_DIR = join(REPO_ROOT, '.stack', 'test-logs');

/** Every generated password of the secured stack (the test suite's and the services' identities). */
function stackPasswords(): string[] {
  if (!existsSync(SECRETS_DIR)) return [];
  return readdirSync(SECRETS_DIR)
    .filter((name) => name.endsWith('.password'))
    .map((name) => readFileSync(join(SECRETS_DIR, name), 'utf8').trim())
    .filter((password) => password.length >= 8);
}

describe('log hygiene: no secret in any log line', () => {
  beforeAll(async () => {
    await requireStack();
    await dropPipelineResources(kafka, elasticsearch);
    await createPipelineResources(kafka, elasticsearch);
  });
  afterAll(() => dropPipelineResources(kafka, elasticsearch));

  it('the services of a run (and of every earlier e2e file) log none of the stack passwords', async () => {
    const passwords = stackPasswords();
    // The suite runs on the secured stack: no passwords would make this test vacuous.
    expect(passwords.length, `passwords in ${SECRETS_DIR}`).toBeGreaterThanOrEqual(5);
    const pipeline = new Pipeline();
    pipeline.startAll();
    try {
      await pushGenerated(kafka, 500, 41);
      await waitForIdle(kafka, SYNTHETIC_PARTNERS, 120_000);
    } finally {
      await pipeline.stopAll();
    }
    const files = readdirSync(LOG_DIR).filter((name) => name.endsWith('.log'));
    expect(files.length).toBeGreaterThanOrEqual(3);
    const leaks: string[] = [];
    for (const file of files) {
      const text = readFileSync(join(LOG_DIR, file), 'utf8');
      for (const password of passwords) if (text.includes(password)) leaks.push(file);
    }
    expect(leaks).toEqual([]);
  });

  it('a configuration error names the variables but never prints the secrets they hold', () => {
    const secret = 'hunter2-do-not-print-me';
    const run = spawnSync(
      process.execPath,
      ['--import', 'tsx', join(REPO_ROOT, 'services', 'deduplicator', 'src', 'main.ts')],
      {
        cwd: REPO_ROOT,
        env: {
          ...process.env,
          // Each of these is wrong, and two of them carry the secret.
          REDIS_URL: `ftp://cli:${secret}@127.0.0.1:1`,
          KAFKA_SASL_USERNAME: 'deduplicator',
          KAFKA_SASL_PASSWORD: secret,
          KAFKA_SASL_PASSWORD_FILE: join(SECRETS_DIR, 'kafka-admin.password'),
          METRICS_PORT: 'eighty',
        },
        encoding: 'utf8',
        timeout: 60_000,
      },
    );
    expect(run.status).toBe(78);
    const output = `${run.stdout}${run.stderr}`;
    expect(output).toContain('REDIS_URL');
    expect(output).toContain('KAFKA_SASL_PASSWORD');
    expect(output).toContain('METRICS_PORT');
    expect(output).not.toContain(secret);
    for (const password of stackPasswords()) expect(output).not.toContain(password);
  });
});
