import { describe, expect, it } from 'vitest';
import { startOpsServer } from './http-server.js';
import { createStageMetrics } from './metrics.js';
import { STAGE_FAILING_AFTER, StageHealth } from './stage-health.js';

describe('/readyz of a stage that keeps failing', () => {
  it('answers 503 with the reason after consecutive failures, and 200 again once a batch succeeds', async () => {
    const metrics = createStageMetrics('indexer');
    const health = new StageHealth('indexer', metrics);
    const ops = await startOpsServer({
      port: 0,
      host: '127.0.0.1',
      registry: metrics.registry,
      readiness: () => health.readiness(),
    });
    const get = async (path: string) => {
      const response = await fetch(`http://127.0.0.1:${ops.port}${path}`);
      return { status: response.status, body: await response.text() };
    };
    try {
      expect((await get('/readyz')).status).toBe(200);
      for (let i = 1; i < STAGE_FAILING_AFTER; i++) health.failed('stage_error', new Error('flaky'));
      expect((await get('/readyz')).status).toBe(200);
      health.failed('infrastructure', new Error('connect ECONNREFUSED 127.0.0.1:19200'));
      const failing = await get('/readyz');
      expect(failing.status).toBe(503);
      expect(failing.body).toContain('stage indexer failing');
      expect(failing.body).toContain('infrastructure: connect ECONNREFUSED 127.0.0.1:19200');
      const metricsText = (await get('/metrics')).body;
      expect(metricsText).toMatch(/dragnet_stage_failing\{stage="indexer",service="indexer"\} 1/);
      expect(metricsText).toMatch(
        /dragnet_stage_failures_total\{stage="indexer",kind="infrastructure",service="indexer"\} 1/,
      );
      expect(metricsText).toMatch(
        /dragnet_stage_failures_total\{stage="indexer",kind="stage_error",service="indexer"\} 4/,
      );
      health.succeeded();
      expect(await get('/readyz')).toEqual({ status: 200, body: 'ready\n' });
      expect((await get('/metrics')).body).toMatch(
        /dragnet_stage_failing\{stage="indexer",service="indexer"\} 0/,
      );
    } finally {
      await ops.close();
    }
  });

  it('reports failing after failures spread over STAGE_FAILING_AFTER_MS, even fewer than five (slow calls against a server that is down)', () => {
    let now = 1_000_000;
    const health = new StageHealth('indexer', createStageMetrics('indexer'), 5, 10_000, () => now);
    health.failed('infrastructure', new Error('connect ECONNREFUSED'));
    now += 9_000;
    expect(health.readiness().ready).toBe(true);
    now += 1_000;
    // One failure is not a streak: a single slow call after it may still succeed.
    expect(health.readiness().ready).toBe(true);
    health.failed('infrastructure', new Error('connect ECONNREFUSED'));
    const readiness = health.readiness();
    expect(readiness.ready).toBe(false);
    expect(!readiness.ready && readiness.reason).toContain('2 handler calls in a row failed over 10 s');
    health.succeeded();
    expect(health.readiness().ready).toBe(true);
  });

  it('keeps the reason short whatever the error says', () => {
    const health = new StageHealth('normalizer', createStageMetrics('normalizer'), 1);
    health.failed('stage_error', new Error('x'.repeat(100_000)));
    const readiness = health.readiness();
    expect(readiness.ready).toBe(false);
    expect(!readiness.ready && readiness.reason.length).toBeLessThan(400);
  });
});
