// `pnpm bench` against a stack that is not there: one line naming each server
// and the fix, exit status 1, before any build or service start — not the
// 40 s of kafkajs retry logs it printed before (bench/preflight.ts).
import { spawn } from 'node:child_process';
import { readFileSync } from 'node:fs';
import { createServer, type Server, type Socket } from 'node:net';
import { join } from 'node:path';
import { REPO_ROOT } from '@dragnet/test-kit';
import { afterAll, describe, expect, it } from 'vitest';

/** A port nothing listens on: bound by the system, then released. */
async function closedPort(): Promise<number> {
  const server = createServer();
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const { port } = server.address() as { port: number };
  await new Promise((resolve) => server.close(resolve));
  return port;
}

/** A port that accepts connections and never answers a byte (a hung server). */
const silentServers: { server: Server; sockets: Set<Socket> }[] = [];
async function silentPort(): Promise<number> {
  const sockets = new Set<Socket>();
  const server = createServer((socket) => {
    sockets.add(socket);
    socket.on('error', () => undefined);
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  silentServers.push({ server, sockets });
  return (server.address() as { port: number }).port;
}
afterAll(() => {
  for (const { server, sockets } of silentServers) {
    for (const socket of sockets) socket.destroy();
    server.close();
  }
});

interface Run {
  status: number | null;
  /** Killed by this test's own bound: the bench hung instead of giving up. */
  timedOut: boolean;
  stdout: string;
  stderr: string;
}

/** The bench as an operator runs it, with the stack's addresses replaced. */
function runBench(args: string[], addresses: Record<string, string>): Promise<Run> {
  const child = spawn(
    process.execPath,
    ['--import', 'tsx', join(REPO_ROOT, 'bench', 'pipeline.bench.ts'), ...args],
    {
      cwd: REPO_ROOT,
      env: { ...process.env, ...addresses },
      stdio: ['ignore', 'pipe', 'pipe'],
    },
  );
  let stdout = '';
  let stderr = '';
  child.stdout.on('data', (chunk: Buffer) => {
    stdout += chunk.toString();
  });
  child.stderr.on('data', (chunk: Buffer) => {
    stderr += chunk.toString();
  });
  let timedOut = false;
  // Far above the few seconds it needs (a loaded machine), far below the 40 s of retries it replaced.
  const bound = setTimeout(() => {
    timedOut = true;
    child.kill('SIGKILL');
  }, 30_000);
  return new Promise((resolve) =>
    child.once('close', (status) => {
      clearTimeout(bound);
      resolve({ status, timedOut, stdout, stderr });
    }),
  );
}

/** The passwords of the environment the bench gets (the secured stack's, when it is loaded). */
function secrets(): string[] {
  return ['KAFKA_SASL_PASSWORD_FILE', 'ELASTICSEARCH_PASSWORD_FILE', 'REDIS_PASSWORD_FILE']
    .map((name) => process.env[name])
    .filter((file): file is string => Boolean(file))
    .map((file) => readFileSync(file, 'utf8').trim())
    .filter((secret) => secret.length >= 8);
}

describe('pnpm bench with the stack down', () => {
  it('prints one line naming every refused server and how to start the stack, and exits 1', async () => {
    const [kafka, elasticsearch, redis] = [await closedPort(), await closedPort(), await closedPort()];
    for (const args of [
      ['--instances', '1,2'],
      ['--security', 'secured'],
    ]) {
      const run = await runBench([...args, '--skip-build'], {
        KAFKA_BROKERS: `127.0.0.1:${kafka}`,
        ELASTICSEARCH_URL: `https://127.0.0.1:${elasticsearch}`,
        REDIS_URL: `redis://127.0.0.1:${redis}`,
      });
      expect(run.timedOut, args.join(' ')).toBe(false);
      expect(run.status, args.join(' ')).toBe(1);
      expect(run.stdout).toBe('');
      const lines = run.stderr.trim().split('\n');
      expect(lines, run.stderr).toHaveLength(1);
      expect(lines[0]).toContain(`Kafka at 127.0.0.1:${kafka} (ECONNREFUSED)`);
      expect(lines[0]).toContain(`Elasticsearch at 127.0.0.1:${elasticsearch} (ECONNREFUSED)`);
      expect(lines[0]).toContain(`Redis at 127.0.0.1:${redis} (ECONNREFUSED)`);
      expect(lines[0]).toContain('`pnpm stack:up`');
      for (const secret of secrets()) expect(run.stderr).not.toContain(secret);
    }
  });

  it('gives up on servers that accept connections and never answer, in one line', async () => {
    const [kafka, elasticsearch, redis] = [await silentPort(), await silentPort(), await silentPort()];
    const run = await runBench(['--instances', '1', '--skip-build'], {
      KAFKA_BROKERS: `127.0.0.1:${kafka}`,
      ELASTICSEARCH_URL: `https://127.0.0.1:${elasticsearch}`,
      REDIS_URL: `redis://127.0.0.1:${redis}`,
    });
    expect(run.timedOut).toBe(false);
    expect(run.status).toBe(1);
    const lines = run.stderr.trim().split('\n');
    expect(lines, run.stderr).toHaveLength(1);
    expect(lines[0]).toMatch(
      /^bench: the stack does not answer: Kafka at .*; Elasticsearch at .*; Redis at /,
    );
    expect(lines[0]).toContain(`127.0.0.1:${kafka}`);
  });

  it('refuses an instance list that is not positive counts, before probing anything', async () => {
    const run = await runBench(['--instances', '1,0,x', '--skip-build'], {
      KAFKA_BROKERS: `127.0.0.1:${await closedPort()}`,
    });
    expect(run.status).toBe(2);
    expect(run.stderr.trim()).toBe(
      'bench: --instances: expected positive integers up to 64, comma-separated (got "1,0,x")',
    );
    expect(run.stderr).not.toContain('Kafka at');
  });
});
