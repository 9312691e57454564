import type { StageMetrics } from './metrics.js';

/** Consecutive failed handler calls after which a stage reports not ready. */
export const STAGE_FAILING_AFTER = 5;

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
  private lastFailure = '';

  constructor(
    private readonly stage: string,
    private readonly metrics: StageMetrics,
    private readonly failingAfter = STAGE_FAILING_AFTER,
  ) {
    metrics.stageFailing.set({ stage }, 0);
  }

  failed(kind: string, error: unknown): void {
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
    return this.consecutiveFailures >= this.failingAfter;
  }

  readiness(): Readiness {
    if (!this.isFailing) return { ready: true };
    return {
      ready: false,
      reason: `stage ${this.stage} failing: ${this.consecutiveFailures} handler calls in a row failed, last ${this.lastFailure}`,
    };
  }
}
