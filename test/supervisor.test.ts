// The supervisor behind `dragnet up` / `down` / `ps`: real services as processes on
// the real stack (this file's own namespace). A child killed with SIGKILL is started
// again and works; stopping ends every child within the deadline.
import { mkdtempSync, readFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { dragnetServices, inspect, isAlive, readState, Supervisor, waitReady } from '@dragnet/supervisor';
import { eventually, REPO_ROOT, requireStack, testElasticsearch, testKafka } from '@dragnet/test-kit';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import {
  createPipelineResources,
  dropPipelineResources,
  pushGenerated,
  SERVICES,
  SYNTHETIC_PARTNERS,
  serviceEnv,
  waitForIdle,
} from './pipeline-kit.js';

const kafka = testKafka();
const elasticsearch = testElasticsearch();
const STOP_DEADLINE_MS = 20_000;

describe('supervisor', () => {
  beforeAll(async () => {
    await requireStack();
    await createPipelineResources(kafka, elasticsearch);
  });
  afterAll(() => dropPipelineResources(kafka, elasticsearch));

  it('restarts a crashed child, which then does its work, and stops every child on down', async () => {
    const runDir = mkdtempSync(join(tmpdir(), 'dragnet-run-'));
    const services = dragnetServices(REPO_ROOT, 'tsx', {})
      .services.filter((service) => (SERVICES as readonly string[]).includes(service.name))
      .map((service) => ({ ...service, env: serviceEnv({ SHUTDOWN_TIMEOUT_MS: '15000' }) }));
    expect(services.map((service) => service.name).sort()).toEqual([...SERVICES].sort());
    const events: string[] = [];
    const supervisor = new Supervisor({
      runDir,
      services,
      stopDeadlineMs: STOP_DEADLINE_MS,
      policy: { initialDelayMs: 200, maxDelayMs: 2_000, stableAfterMs: 60_000 },
      onEvent: (line) => events.push(line),
    });
    supervisor.start();
    const pidsSeen: number[] = [];
    try {
      expect(await waitReady(runDir, 120_000)).toEqual([]);
      const before = readState(runDir)!.children.find((child) => child.name === 'indexer')!;
      pidsSeen.push(...readState(runDir)!.children.map((child) => child.pid!));
      process.kill(before.pid!, 'SIGKILL');

      const after = await eventually(
        async () => readState(runDir)!.children.find((child) => child.name === 'indexer')!,
        (child) => child.pid !== null && child.pid !== before.pid && child.restarts === 1,
        { timeoutMs: 30_000, what: 'the indexer to be started again' },
      );
      pidsSeen.push(after.pid!);
      expect(await waitReady(runDir, 120_000)).toEqual([]);
      expect(events.some((line) => line.startsWith('indexer: exited (signal SIGKILL)'))).toBe(true);
      // The restarted indexer does its work: a feed goes all the way to the index.
      await pushGenerated(kafka, 200, 7);
      await waitForIdle(kafka, SYNTHETIC_PARTNERS, 120_000);

      const reports = await inspect(readState(runDir)!);
      expect(reports.map((report) => [report.name, report.health])).toEqual(
        services.map((service) => [service.name, 'ready']),
      );
      for (const report of reports) expect(report.rssMb, report.name).toBeGreaterThan(10);
    } finally {
      const stopping = Date.now();
      await supervisor.stop();
      const stoppedInMs = Date.now() - stopping;
      expect(stoppedInMs).toBeLessThan(STOP_DEADLINE_MS);
    }
    for (const pid of pidsSeen) expect(isAlive(pid), `pid ${pid}`).toBe(false);
    expect(supervisor.state().children.every((child) => child.pid === null)).toBe(true);
    // Every child's output is in its own log file of the run dir.
    for (const service of services)
      expect(readFileSync(join(runDir, 'logs', `${service.name}.log`), 'utf8')).toContain('"msg":"started"');
  });
});
