import { type Names, names } from '@dragnet/contracts';
import { createLogger, type Logger } from '@dragnet/logger';
import { startOpsServer } from './http-server.js';
import { createStageMetrics, type StageMetrics } from './metrics.js';
import { ShutdownRegistry } from './shutdown.js';
import { type Readiness, StageHealth } from './stage-health.js';

export interface ServiceContext {
  logger: Logger;
  metrics: StageMetrics;
  shutdown: ShutdownRegistry;
  /** The stage's progress: give it to the batch consumer (`health`); `/readyz` is 503 while it is failing. */
  health: StageHealth;
  /** Every topic, group, index, queue and key name of this process's namespace (`DRAGNET_NAMESPACE`). */
  names: Names;
}

export interface ServiceHandle {
  isReady(): boolean;
}

export interface RunServiceOptions {
  name: string;
  /** The service's validated settings (`LOG_ENV` and `RUNTIME_ENV` of @dragnet/config). */
  config: {
    LOG_LEVEL: string;
    METRICS_PORT: number;
    SHUTDOWN_TIMEOUT_MS: number;
    DRAGNET_NAMESPACE?: string | undefined;
  };
  start(context: ServiceContext): Promise<ServiceHandle>;
}

/**
 * The process frame every service shares: logger, metrics, ops HTTP server,
 * signal handling, and a clean exit when a fatal error escapes a stage
 * (at-least-once delivery makes "crash and restart" safe).
 */
export async function runService(options: RunServiceOptions): Promise<ServiceContext> {
  const logger = createLogger({ service: options.name, level: options.config.LOG_LEVEL });
  const metrics = createStageMetrics(options.name);
  const shutdown = new ShutdownRegistry(logger, options.config.SHUTDOWN_TIMEOUT_MS);
  shutdown.installSignalHandlers();
  process.on('unhandledRejection', (reason) => {
    logger.fatal({ err: reason }, 'unhandled rejection');
    void shutdown.shutdown('unhandledRejection').finally(() => process.exit(1));
  });
  const health = new StageHealth(options.name, metrics);
  let handle: ServiceHandle | undefined;
  const readiness = (): Readiness => {
    if (shutdown.isShuttingDown) return { ready: false, reason: 'shutting down' };
    if (!handle) return { ready: false, reason: 'starting' };
    if (!handle.isReady()) return { ready: false, reason: 'not connected or not consuming' };
    return health.readiness();
  };
  const ops = await startOpsServer({
    port: options.config.METRICS_PORT,
    registry: metrics.registry,
    readiness,
  });
  shutdown.register('ops-server', () => ops.close());
  logger.info({ metricsPort: ops.port }, 'ops server listening');
  const context: ServiceContext = {
    logger,
    metrics,
    shutdown,
    health,
    names: names(options.config.DRAGNET_NAMESPACE),
  };
  try {
    handle = await options.start(context);
  } catch (error) {
    logger.fatal({ err: error }, 'failed to start');
    await shutdown.shutdown('start failed');
    process.exit(1);
  }
  logger.info('started');
  return context;
}
