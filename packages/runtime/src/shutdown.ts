import type { Logger } from '@dragnet/logger';

type Closer = () => Promise<void> | void;

/**
 * One per process. Closers run in reverse registration order (consumers stop
 * before the producers and clients they use) under one deadline; past it the
 * process exits anyway, so an orchestrator's SIGKILL never finds it hung.
 */
export class ShutdownRegistry {
  private readonly closers: { name: string; close: Closer }[] = [];
  private shuttingDown: Promise<void> | undefined;

  constructor(
    private readonly logger: Logger,
    private readonly deadlineMs: number,
  ) {}

  register(name: string, close: Closer): void {
    this.closers.push({ name, close });
  }

  get isShuttingDown(): boolean {
    return this.shuttingDown !== undefined;
  }

  /** Runs every closer once; later calls return the same promise. */
  shutdown(reason: string): Promise<void> {
    this.shuttingDown ??= this.run(reason);
    return this.shuttingDown;
  }

  private async run(reason: string): Promise<void> {
    this.logger.info({ reason }, 'shutting down');
    const timer = setTimeout(() => {
      this.logger.error({ deadlineMs: this.deadlineMs }, 'shutdown deadline passed, exiting');
      process.exit(1);
    }, this.deadlineMs);
    timer.unref();
    for (const { name, close } of [...this.closers].reverse()) {
      try {
        await close();
      } catch (error) {
        this.logger.warn({ err: error, closer: name }, 'closer failed during shutdown');
      }
    }
    clearTimeout(timer);
  }

  /** SIGTERM/SIGINT start the shutdown; the process exits when it is done. */
  installSignalHandlers(): void {
    for (const signal of ['SIGTERM', 'SIGINT'] as const) {
      process.once(signal, () => {
        void this.shutdown(signal).then(() => process.exit(0));
      });
    }
  }
}
