// A service started while a server it needs is down: one line naming the
// server, its address and the fix, soon after boot; then quiet retries (no
// kafkajs or ioredis output, no stack trace) while it keeps running; SIGTERM
// ends it cleanly; and once the server answers, it starts.
import { readFileSync } from 'node:fs';
import { createConnection, createServer, type Server } from 'node:net';
import {
  eventually,
  requireStack,
  type ServiceProcess,
  startService,
  testElasticsearch,
  testKafka,
} from '@dragnet/test-kit';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createPipelineResources, dropPipelineResources, serviceEnv } from './pipeline-kit.js';

const SHUTDOWN_TIMEOUT_MS = 10_000;
const QUIET_WATCH_MS = 6_000;

/** A port nothing listens on (bound once by us, then closed). */
async function closedPort(): Promise<number> {
  const server = createServer();
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const { port } = server.address() as { port: number };
  await new Promise((resolve) => server.close(resolve));
  return port;
}

interface LogLine {
  level: number;
  time: string;
  msg: string;
  [field: string]: unknown;
}

function logOf(service: ServiceProcess): { text: string; lines: LogLine[] } {
  const text = readFileSync(service.logFile, 'utf8');
  const lines = text
    .split('\n')
    .filter((line) => line.startsWith('{'))
    .map((line) => JSON.parse(line) as LogLine);
  return { text, lines };
}

const running = (service: ServiceProcess) =>
  service.child.exitCode === null && service.child.signalCode === null;

const CASES = [
  {
    service: 'normalizer',
    variable: 'KAFKA_BROKERS',
    server: 'kafka',
    address: (port: number) => `127.0.0.1:${port}`,
  },
  {
    service: 'indexer',
    variable: 'ELASTICSEARCH_URL',
    server: 'elasticsearch',
    address: (port: number) => `https://127.0.0.1:${port}`,
  },
  {
    service: 'deduplicator',
    variable: 'REDIS_URL',
    server: 'redis',
    address: (port: number) => `redis://127.0.0.1:${port}`,
  },
] as const;

describe('first minutes: a service whose server is down at boot', () => {
  const started: ServiceProcess[] = [];
  let forwarder: Server | undefined;
  beforeAll(() => requireStack());
  afterAll(async () => {
    await Promise.all(started.map((service) => service.kill('SIGKILL')));
    forwarder?.close();
  });

  it('logs one line naming the server, its address and the fix, stays up quietly, and stops on SIGTERM', async () => {
    const ports = await Promise.all(CASES.map(() => closedPort()));
    const services = CASES.map((entry, index) => {
      const service = startService(
        entry.service,
        serviceEnv({
          [entry.variable]: entry.address(ports[index]!),
          SHUTDOWN_TIMEOUT_MS: String(SHUTDOWN_TIMEOUT_MS),
        }),
      );
      started.push(service);
      return service;
    });
    await Promise.all(
      services.map((service, index) =>
        eventually(
          async () => logOf(service).lines,
          (lines) => lines.some((line) => line.level >= 50),
          { timeoutMs: 90_000, what: `${CASES[index]!.service}'s report` },
        ),
      ),
    );
    // It keeps retrying a while: nothing more may be said.
    await new Promise((resolve) => setTimeout(resolve, QUIET_WATCH_MS));
    for (const [index, service] of services.entries()) {
      const { server } = CASES[index]!;
      const { text, lines } = logOf(service);
      const loud = lines.filter((line) => line.level >= 40);
      expect(
        loud.map((line) => line.msg),
        service.name,
      ).toHaveLength(1);
      const report = loud[0]!;
      expect(report.msg).toContain(
        `${server} at 127.0.0.1:${ports[index]} is not reachable (connection refused)`,
      );
      expect(report.msg).toContain('`pnpm stack:up`');
      expect(report.msg).toContain(CASES[index]!.variable);
      // Within 5 s of the process being up (its first line), not after a library's retries.
      const boot = Date.parse(lines[0]!.time);
      expect(Date.parse(report.time) - boot, service.name).toBeLessThanOrEqual(5_000);
      expect(text, service.name).not.toMatch(/kafkajs|\[ioredis\]|^\s+at /im);
      expect(running(service), `${service.name} still running`).toBe(true);
    }
    const exits = await Promise.all(
      services.map(async (service) => {
        const stopping = Date.now();
        const code = await service.kill('SIGTERM');
        return { code, ms: Date.now() - stopping };
      }),
    );
    for (const exit of exits) {
      expect(exit.code).toBe(0);
      expect(exit.ms).toBeLessThan(SHUTDOWN_TIMEOUT_MS);
    }
  });

  it('starts once the server answers', async () => {
    const kafka = testKafka();
    const elasticsearch = testElasticsearch();
    await createPipelineResources(kafka, elasticsearch);
    try {
      const port = await closedPort();
      const service = startService('normalizer', serviceEnv({ KAFKA_BROKERS: `127.0.0.1:${port}` }));
      started.push(service);
      await eventually(
        async () => logOf(service).lines,
        (lines) => lines.some((line) => line.level >= 50),
        { timeoutMs: 90_000, what: 'the report' },
      );
      // The broker "comes up" on that port: a forwarder to the stack's broker.
      const [host, brokerPort] = (process.env.KAFKA_BROKERS ?? '127.0.0.1:19092').split(',')[0]!.split(':');
      forwarder = createServer((socket) => {
        const upstream = createConnection({ host: host!, port: Number(brokerPort) });
        socket.pipe(upstream).pipe(socket);
        const close = () => {
          socket.destroy();
          upstream.destroy();
        };
        socket.on('error', close);
        upstream.on('error', close);
      });
      await new Promise<void>((resolve) => forwarder!.listen(port, '127.0.0.1', resolve));
      const lines = await eventually(
        async () => logOf(service).lines,
        (found) => found.some((line) => line.msg === 'started'),
        { timeoutMs: 120_000, what: 'the normalizer to start' },
      );
      expect(lines.filter((line) => line.msg === 'kafka answering now; starting')).toHaveLength(1);
      expect(await service.kill('SIGTERM')).toBe(0);
    } finally {
      await dropPipelineResources(kafka, elasticsearch);
    }
  });
});
