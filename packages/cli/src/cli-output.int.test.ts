import { spawnSync } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { deleteTopics, ensureTopics } from '@dragnet/kafka';
import { requireStack, testKafka, uniqueName } from '@dragnet/test-kit';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { COMMANDS } from './command-table.js';

/**
 * The bundled CLI as a user runs it: its stdout and stderr, through pipes and
 * through a pseudo-terminal. Servers that are down are simulated by closed
 * ports (the shared stack keeps running); the rest uses the shared stack in a
 * namespace of its own.
 */

const ROOT = fileURLToPath(new URL('../../../', import.meta.url));
const BUNDLE = join(ROOT, 'packages/cli/dist/main.js');
const LAUNCHER = join(ROOT, 'packages/cli/bin/dragnet.mjs');

interface Run {
  status: number | null;
  stdout: string;
  stderr: string;
  ms: number;
}

/** `env` overrides the process environment; an `undefined` value removes the variable. */
function dragnet(args: string[], env: Record<string, string | undefined> = {}, entry = BUNDLE): Run {
  const started = Date.now();
  const result = spawnSync(process.execPath, [entry, ...args], {
    cwd: ROOT,
    env: Object.fromEntries(
      Object.entries({ ...process.env, ...env }).filter((entry) => entry[1] !== undefined),
    ),
    encoding: 'utf8',
    timeout: 60_000,
  });
  return { status: result.status, stdout: result.stdout, stderr: result.stderr, ms: Date.now() - started };
}

/** Runs the bundle with a pseudo-terminal as stdin/stdout/stderr (python's pty); returns what the terminal showed. */
function dragnetInTerminal(
  args: string[],
  env: Record<string, string>,
): { status: number | null; screen: string } {
  const script = [
    'import os, pty, sys',
    'pid, fd = pty.fork()',
    'if pid == 0:',
    '    os.execv(sys.argv[1], sys.argv[1:])',
    'out = b""',
    'while True:',
    '    try:',
    '        data = os.read(fd, 65536)',
    '    except OSError:',
    '        break',
    '    if not data:',
    '        break',
    '    out += data',
    '_, status = os.waitpid(pid, 0)',
    'sys.stdout.buffer.write(out)',
    'sys.exit(os.waitstatus_to_exitcode(status))',
  ].join('\n');
  const result = spawnSync('python3', ['-c', script, process.execPath, BUNDLE, ...args], {
    cwd: ROOT,
    env: { ...process.env, ...env },
    encoding: 'utf8',
    timeout: 60_000,
  });
  return { status: result.status, screen: result.stdout };
}

const lines = (text: string) => text.split('\n').filter((line) => line.trim() !== '');

beforeAll(() => {
  const build = spawnSync(process.execPath, [join(ROOT, 'scripts/bundle.mjs'), '--cli'], {
    cwd: ROOT,
    encoding: 'utf8',
  });
  expect(build.status, build.stderr).toBe(0);
}, 120_000);

describe('dragnet --help (bundled)', () => {
  it('lists every command of the table, through the launcher too', () => {
    for (const entry of [BUNDLE, LAUNCHER]) {
      const run = dragnet(['--help'], {}, entry);
      expect(run.status).toBe(0);
      for (const command of COMMANDS) expect(run.stdout).toContain(`dragnet ${command.name}`);
    }
  });

  it('loads no driver: kafkajs, the Elasticsearch client, ioredis, BullMQ and pino are imported by commands only', () => {
    // Every module main.js imports statically, transitively; dynamic import() calls are the lazy edges.
    const loaded = new Set<string>();
    const pending = ['main.js'];
    const externals: string[] = [];
    while (pending.length > 0) {
      const file = pending.pop() as string;
      if (loaded.has(file)) continue;
      loaded.add(file);
      const code = readFileSync(join(ROOT, 'packages/cli/dist', file), 'utf8');
      for (const [, target] of code.matchAll(/^import\s+(?:[^;'"()]*?\s+from\s+)?["']([^"']+)["']/gm)) {
        if (target?.startsWith('./')) pending.push(target.slice(2));
        else if (target) externals.push(target);
      }
    }
    expect(externals.filter((name) => !name.startsWith('node:'))).toEqual([]);
  });

  it('refuses a misspelt option in one line with status 2', () => {
    const run = dragnet(['feed', 'push', '--partnr', 'acme']);
    expect(run.status).toBe(2);
    expect(lines(run.stderr)).toHaveLength(1);
    expect(run.stderr).toMatch(/^dragnet: feed push: .*--partnr/);
  });
});

describe('a server that is down or refuses the credentials (bundled CLI)', () => {
  const cases: { name: string; args: string[]; env: Record<string, string | undefined>; expected: RegExp }[] =
    [
      {
        name: 'Kafka down',
        args: ['dlq', 'list'],
        env: { KAFKA_BROKERS: '127.0.0.1:1' },
        expected:
          /^Kafka at 127\.0\.0\.1:1 is not reachable \(ECONNREFUSED\) — start the local stack with `pnpm stack:up`/,
      },
      {
        name: 'Elasticsearch down',
        args: ['lookup', '198.51.100.7'],
        env: { ELASTICSEARCH_URL: 'https://127.0.0.1:1' },
        expected:
          /^Elasticsearch at https:\/\/127\.0\.0\.1:1 is not reachable \(ECONNREFUSED\) — start the local stack/,
      },
      {
        name: 'Redis down',
        args: ['jobs', 'failed'],
        env: { REDIS_URL: 'redis://127.0.0.1:1' },
        expected:
          /^Redis at redis:\/\/127\.0\.0\.1:1 is not reachable \(ECONNREFUSED\) — start the local stack/,
      },
      {
        name: 'the whole stack down (status needs all three)',
        args: ['status'],
        env: {
          KAFKA_BROKERS: '127.0.0.1:1',
          ELASTICSEARCH_URL: 'https://127.0.0.1:1',
          REDIS_URL: 'redis://127.0.0.1:1',
        },
        expected:
          /^Kafka at 127\.0\.0\.1:1 is not reachable .*; Redis at redis:\/\/127\.0\.0\.1:1 is not reachable .*; Elasticsearch at https:\/\/127\.0\.0\.1:1 is not reachable/,
      },
      {
        name: 'Elasticsearch refusing the password',
        args: ['sample'],
        // The secured stack's environment names the password by file: a password given inline replaces it.
        env: {
          ELASTICSEARCH_USERNAME: 'dragnet-admin',
          ELASTICSEARCH_PASSWORD: 'not-the-password',
          ELASTICSEARCH_PASSWORD_FILE: undefined,
        },
        expected:
          /^Elasticsearch at https:\/\/127\.0\.0\.1:19200 refused the credentials of dragnet-admin — check ELASTICSEARCH_USERNAME \/ ELASTICSEARCH_PASSWORD_FILE\n$/,
      },
      {
        name: 'Kafka refusing the password',
        args: ['dlq', 'list'],
        env: {
          KAFKA_SASL_USERNAME: 'admin',
          KAFKA_SASL_PASSWORD: 'not-the-password',
          KAFKA_SASL_PASSWORD_FILE: undefined,
        },
        expected: /^Kafka at 127\.0\.0\.1:19092 refused the credentials of admin — check KAFKA_SASL_USERNAME/,
      },
    ];

  it.each(cases)(
    '$name: one line on stderr within 5 s, status 1, no stack trace',
    ({ args, env, expected }) => {
      const run = dragnet(args, env);
      expect(run.status).toBe(1);
      expect(run.ms).toBeLessThan(5_000);
      expect(lines(run.stderr)).toHaveLength(1);
      expect(run.stderr).toMatch(expected);
      expect(run.stderr).not.toMatch(/\n\s+at /);
      expect(run.stdout).toBe('');
    },
  );

  it('adds the details with --verbose', () => {
    const run = dragnet(['jobs', 'failed', '--verbose'], { REDIS_URL: 'redis://127.0.0.1:1' });
    expect(run.status).toBe(1);
    expect(run.stderr).toMatch(/^Redis at redis:\/\/127\.0\.0\.1:1 is not reachable/);
  });
});

describe('feed push and status --wait against the shared stack (own namespace)', () => {
  const namespace = uniqueName('clitest');
  const kafka = testKafka();
  const dir = mkdtempSync(join(tmpdir(), 'dragnet-cli-'));
  const partnersFile = join(dir, 'partners.json');
  const feedFile = join(dir, 'acme.csv');
  const env = { DRAGNET_NAMESPACE: namespace, PARTNERS_FILE: partnersFile };
  const topics = [
    `${namespace}.feeds.acme`,
    `${namespace}.dragnet.indicators.canonical`,
    `${namespace}.dragnet.indicators.changes`,
  ];

  beforeAll(async () => {
    await requireStack();
    const partner = {
      id: 'acme',
      name: 'Acme',
      feedName: 'acme',
      format: { type: 'csv', valueColumn: 0 },
      defaultTlp: 'green',
      trust: 0.5,
      partitions: 1,
      retentionDays: 1,
    };
    writeFileSync(partnersFile, JSON.stringify({ partners: [partner] }));
    writeFileSync(feedFile, Array.from({ length: 30 }, (_, i) => `198.51.100.${i + 1}`).join('\n'));
    await ensureTopics(
      kafka,
      topics.map((topic) => ({ topic, partitions: 1 })),
    );
  });

  afterAll(async () => {
    await deleteTopics(kafka, topics).catch(() => undefined);
    rmSync(dir, { recursive: true, force: true });
  });

  it('pushes with a records-and-bytes line and no kafkajs output (which --verbose shows)', () => {
    const run = dragnet(['feed', 'push', '--partner', 'acme', '--lines-per-message', '10', feedFile], env);
    expect(run.status, run.stderr).toBe(0);
    expect(run.stdout).toBe(`pushed 3 message(s) to ${namespace}.feeds.acme\n`);
    expect(lines(run.stderr)).toEqual([
      expect.stringMatching(/^push acme: 3 records · \d+ B · \d+ records\/s · /),
    ]);
    for (const output of [run.stdout, run.stderr]) {
      expect(output).not.toContain('Limiting retries');
      expect(output).not.toMatch(/^\{/m);
    }
    const verbose = dragnet(['feed', 'push', '--partner', 'acme', feedFile, '--verbose'], env);
    expect(verbose.status).toBe(0);
    expect(verbose.stderr).toContain('Limiting retries for the idempotent producer');
  });

  it('waits with one updating line and a bar on a terminal, plain lines otherwise', () => {
    // No normalizer runs in this namespace: the pushed records stay pending, and the wait times out.
    const terminal = dragnetInTerminal(['status', '--wait', '--timeout', '2'], env);
    expect(terminal.status).toBe(1);
    expect(terminal.screen).toMatch(
      /\r\u001b\[2K\[[█░]{24}\] waiting for the pipeline: \d+ pending · \d+\/s · ETA /,
    );
    expect(terminal.screen).toMatch(
      /\ndragnet: pipeline still has \d+ records or jobs pending after 2000 ms/,
    );

    const plain = dragnet(['status', '--wait', '--timeout', '2'], env);
    expect(plain.status).toBe(1);
    expect(plain.stderr).not.toMatch(/[\r█]/);
    expect(lines(plain.stderr)[0]).toMatch(/^waiting for the pipeline: \d+ pending · \d+\/s · ETA — · \ds$/);
    expect(lines(plain.stderr).at(-1)).toMatch(/^dragnet: pipeline still has \d+ records or jobs pending/);
  });
});
