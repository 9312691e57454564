import type { StageMetrics } from './metrics.js';

/** Consecutive failed handler calls after which a stage reports not ready. */
export const STAGE_FAILING_AFTER = 5;
/**
 * …or how long failures may go on (two at least, nothing succeeding between
 * them): a call against a server that is down can take 10 s of client
 * retries, so five of them would hide a 30 s outage.
 */
export const STAGE_FAILING_AFTER_MS = 10_000;

export type Readiness = { ready: true } | { ready: false; reason: string };

/**
 * Whether a stage is making progress: counts consecutive failed handler calls
 * (any success resets it). Past `failingAfter` the stage is *failing*:
 * `/readyz` answers 503 with the last error's kind and message, and
 * `dragnet_stage_failing` is 1, until a call succeeds. Fits the batch
 * consumer's `health` option.
 */
export class StageHealth {
  private consecutiveFailures = 0;
  private streakStartedAt = 0;
  private lastFailure = '';

  constructor(
    private readonly stage: string,
    private readonly metrics: StageMetrics,
    private readonly failingAfter = STAGE_FAILING_AFTER,
    private readonly failingAfterMs = STAGE_FAILING_AFTER_MS,
    private readonly now: () => number = Date.now,
  ) {
    metrics.stageFailing.set({ stage }, 0);
  }

  failed(kind: string, error: unknown): void {
    if (this.consecutiveFailures === 0) this.streakStartedAt = this.now();
    this.consecutiveFailures++;
    // Bounded: the reason ends up in an HTTP answer and must stay short.
    const message = (error instanceof Error ? error.message : String(error)).slice(0, 200);
    this.lastFailure = `${kind}: ${message}`;
    this.metrics.stageFailures.inc({ stage: this.stage, kind });
    if (this.isFailing) this.metrics.stageFailing.set({ stage: this.stage }, 1);
  }

  succeeded(): void {
    this.consecutiveFailures = 0;
    this.metrics.stageFailing.set({ stage: this.stage }, 0);
  }

  deadLettered(count: number): void {
    this.metrics.rejected.inc({ reason: 'stage_error' }, count);
  }

  get isFailing(): boolean {
    return (
      this.consecutiveFailures >= this.failingAfter ||
      (this.consecutiveFailures >= 2 && this.now() - this.streakStartedAt >= this.failingAfterMs)
    );
  }

  readiness(): Readiness {
    if (!this.isFailing) return { ready: true };
    // Failing by duration becomes true between calls: the gauge follows when asked.
    this.metrics.stageFailing.set({ stage: this.stage }, 1);
    return {
      ready: false,
      reason: `stage ${this.stage} failing: ${this.consecutiveFailures} handler calls in a row failed over ${Math.round((this.now() - this.streakStartedAt) / 1_000)} s, last ${this.lastFailure}`,
    };
  }
}
