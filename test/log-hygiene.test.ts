// Secrets and intelligence never reach a log: not the stack's passwords, not
// an API key, not a password a service was given in a bad configuration, not
// the indicator values partners pushed or clients asked about. Reads the
// services' log files (`.stack/test-logs`, every e2e file's services) and
// their output; the fields a log line may have are the ones docs/operations.md
// documents ("Log fields").
import { spawnSync } from 'node:child_process';
import { createHash, randomBytes } from 'node:crypto';
import { existsSync, mkdtempSync, readdirSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { AUDIT_INDEX } from '@dragnet/contracts';
import { deleteIndicatorIndex } from '@dragnet/elasticsearch';
import { generateIndicators } from '@dragnet/feedgen';
import {
  REPO_ROOT,
  requireStack,
  type ServiceProcess,
  startService,
  testElasticsearch,
  testKafka,
} from '@dragnet/test-kit';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import {
  apiBaseUrl,
  createPipelineResources,
  dropPipelineResources,
  indexedDocument,
  Pipeline,
  pushGenerated,
  pushMessages,
  SYNTHETIC_PARTNERS,
  serviceEnv,
  waitForIdle,
} from './pipeline-kit.js';
import { poisonMessages } from './support/poison-messages.js';

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

/** The fields a log line may have: the first column of docs/operations.md's "Log fields" table. */
function documentedLogFields(): Set<string> {
  const text = readFileSync(join(REPO_ROOT, 'docs', 'operations.md'), 'utf8');
  const section = text.split(/^### Log fields$/m)[1]?.split(/^#{2,3} /m)[0] ?? '';
  const fields = new Set<string>();
  for (const row of section.split('\n').filter((line) => line.startsWith('| `')))
    for (const [, name] of (row.split('|')[1] ?? '').matchAll(/`([^`]+)`/g)) fields.add(name!);
  return fields;
}

const escapeRegExp = (text: string) => text.replace(/[.*+?^${}()|[\]\\/]/g, '\\$&');

/** `value` occurs in `text` as itself, not inside a longer token (`27.0.0.1` is not in `127.0.0.1`). */
function mentions(text: string, value: string): boolean {
  return new RegExp(`(?<![\\w.-])${escapeRegExp(value)}(?![\\w-]|\\.\\w)`, 'i').test(text);
}

const sha256 = (text: string) => createHash('sha256').update(text, 'utf8').digest('hex');

/** What the test's processes logged: parsed JSON lines and the raw text. */
async function readLogs(processes: readonly ServiceProcess[]) {
  // The exit event can come before the last piped output reached the file.
  await new Promise((resolve) => setTimeout(resolve, 500));
  const text = processes.map((process) => readFileSync(process.logFile, 'utf8')).join('\n');
  const lines: Record<string, unknown>[] = [];
  for (const line of text.split('\n')) {
    if (!line.startsWith('{')) continue;
    try {
      lines.push(JSON.parse(line) as Record<string, unknown>);
    } catch {
      // A line cut short by a kill: still in `text`, so still searched for secrets and values.
    }
  }
  return { text, lines };
}

describe('log hygiene: no secret in any log line', () => {
  beforeAll(async () => {
    await requireStack();
    await dropPipelineResources(kafka, elasticsearch);
    await createPipelineResources(kafka, elasticsearch);
  });
  afterAll(async () => {
    await dropPipelineResources(kafka, elasticsearch);
    await deleteIndicatorIndex(elasticsearch, AUDIT_INDEX).catch(() => undefined);
  });

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

  it('a pipeline run with API lookups logs no password, no API key, no indicator value, and only documented fields', async () => {
    const probe = randomBytes(4).toString('hex');
    // Values only this run uses (pushed defanged, and as the index keeps them), valid and invalid.
    const probes = {
      domain: `leak-probe-${probe}.example.org`,
      url: `http://leak-probe-${probe}.example.net/payload.exe?id=${probe}`,
      defangedUrl: `hxxp://leak-probe-${probe}[.]example[.]net/payload.exe?id=${probe}`,
      badIp: `300.${probe}.1.1`,
      badDomain: `leak_probe_${probe}..invalid`,
    };
    const generated = [
      ...generateIndicators({ count: 500, duplicateRatio: 0.3, seed: 41, partners: SYNTHETIC_PARTNERS }),
    ].map((indicator) => indicator.value);
    const poisons = poisonMessages();
    const key = `dgn_${randomBytes(32).toString('base64url')}`;
    const wrongKey = `dgn_${randomBytes(32).toString('base64url')}`;
    const keysFile = join(mkdtempSync(join(tmpdir(), 'dragnet-keys-')), 'api-keys.json');
    writeFileSync(
      keysFile,
      JSON.stringify([
        { id: 'log-hygiene', sha256: sha256(key), max_tlp: 'red', organisation: 'log hygiene unit' },
      ]),
    );

    const pipeline = new Pipeline();
    pipeline.startAll();
    // The API at debug: its most talkative level logs every request.
    const api = startService(
      'api',
      serviceEnv({ API_PORT: '0', API_HOST: '127.0.0.1', API_KEYS_FILE: keysFile, LOG_LEVEL: 'debug' }),
    );
    const statuses: number[] = [];
    try {
      await pushGenerated(kafka, 500, 41);
      const day = '2026-06-01T00:00:00Z';
      await pushMessages(kafka, 'synthetic-a', [
        [
          `${probes.domain},domain,${day}`,
          `${probes.defangedUrl},url,${day}`,
          `${probes.badIp},ipv4,${day}`,
          `${probes.badDomain},domain,${day}`,
        ].join('\n'),
      ]);
      // Hostile messages of every format: the reject and isolation paths log too.
      for (const poison of poisons) await pushMessages(kafka, poison.partner, [poison.value]);
      await waitForIdle(
        kafka,
        [...new Set([...SYNTHETIC_PARTNERS, ...poisons.map((poison) => poison.partner)])],
        180_000,
      );
      await indexedDocument(elasticsearch, probes.domain, () => true, 'the probe domain');
      const base = await apiBaseUrl(api);
      const call = async (path: string, init: RequestInit = {}, credential = key) => {
        const response = await fetch(`${base}${path}`, {
          ...init,
          headers: { authorization: `Bearer ${credential}`, 'content-type': 'application/json' },
        });
        await response.arrayBuffer();
        statuses.push(response.status);
      };
      await call(`/v1/indicators/${encodeURIComponent(probes.domain)}`);
      await call(`/v1/indicators/${encodeURIComponent(probes.defangedUrl)}`);
      await call(`/v1/indicators/${encodeURIComponent(generated[0]!)}`);
      await call(`/v1/indicators/${encodeURIComponent(`unknown-${probes.domain}`)}`);
      await call(`/v1/indicators/${encodeURIComponent(probes.badIp)}`);
      await call('/v1/lookup', {
        method: 'POST',
        body: JSON.stringify({ observables: [...Object.values(probes), ...generated.slice(0, 50)] }),
      });
      await call(`/v1/search?q=${encodeURIComponent(probes.domain)}`);
      await call(`/v1/indicators/${encodeURIComponent(probes.domain)}`, {}, wrongKey);
    } finally {
      await Promise.all([pipeline.stopAll(), api.kill('SIGTERM')]);
    }
    // Each kind of request was answered, so the API had something to log.
    expect(statuses).toEqual([200, 200, 200, 404, 400, 200, 200, 401]);

    const { text, lines } = await readLogs([...pipeline.processes, api]);
    expect(lines.length).toBeGreaterThanOrEqual(10);
    // Named by position, never printed: a failure message must not leak them either.
    const secrets = [...stackPasswords(), key, wrongKey];
    expect(secrets.flatMap((secret, index) => (text.includes(secret) ? [`secret #${index}`] : []))).toEqual(
      [],
    );
    const values = [
      ...new Set([...Object.values(probes), ...generated, ...poisons.flatMap((poison) => poison.good)]),
    ];
    expect(values.filter((value) => mentions(text, value)).slice(0, 10)).toEqual([]);

    const documented = documentedLogFields();
    expect(documented.size, 'fields in docs/operations.md "Log fields"').toBeGreaterThanOrEqual(10);
    const undocumented = new Map<string, unknown>();
    for (const line of lines)
      for (const field of Object.keys(line)) if (!documented.has(field)) undocumented.set(field, line.msg);
    expect(Object.fromEntries(undocumented), 'undocumented log fields (and a message that had each)').toEqual(
      {},
    );
  });

  it('the CLI commands of the first minutes print no library output (kafkajs notices, JSON log lines, stacks)', () => {
    const build = spawnSync(process.execPath, [join(REPO_ROOT, 'scripts/bundle.mjs'), '--cli'], {
      cwd: REPO_ROOT,
      encoding: 'utf8',
    });
    expect(build.status, build.stderr).toBe(0);
    const feed = join(mkdtempSync(join(tmpdir(), 'dragnet-cli-hygiene-')), 'feed.csv');
    writeFileSync(feed, '192.0.2.10,ipv4,2026-06-01T00:00:00Z\n300.1.1.1,ipv4,2026-06-01T00:00:00Z\n');
    const cli = (...args: string[]) =>
      spawnSync(process.execPath, [join(REPO_ROOT, 'packages/cli/dist/main.js'), ...args], {
        cwd: REPO_ROOT,
        env: process.env,
        encoding: 'utf8',
        timeout: 120_000,
      });
    const noise = /kafkajs|KafkaJS|EoS guarantees|Limiting retries|"level":|^\s+at /m;
    for (const args of [
      ['feed', 'push', '--partner', 'synthetic-a', feed],
      ['status'],
      ['demo', 'summary'],
      ['dlq', 'list'],
    ]) {
      const run = cli(...args);
      expect(run.status, `dragnet ${args.join(' ')}: ${run.stderr}`).toBe(0);
      expect(`${run.stdout}${run.stderr}`, `dragnet ${args.join(' ')}`).not.toMatch(noise);
    }
    // The notice is there to be hidden: --verbose shows it (so the check above can fail).
    const verbose = cli('feed', 'push', '--verbose', '--partner', 'synthetic-a', feed);
    expect(verbose.status).toBe(0);
    expect(verbose.stderr).toMatch(noise);
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
