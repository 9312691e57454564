import { type Names, names } from '@dragnet/contracts';
import { createLogger, type Logger } from '@dragnet/logger';
import { type BootServer, bootTargets, type ServerAddresses, waitForServers } from './boot-servers.js';
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
  /** The service's validated settings (`LOG_ENV` and `RUNTIME_ENV` of @dragnet/config, and the servers' addresses). */
  config: ServerAddresses & {
    LOG_LEVEL: string;
    METRICS_PORT: number;
    SHUTDOWN_TIMEOUT_MS: number;
    DRAGNET_NAMESPACE?: string | undefined;
  };
  /**
   * The servers waited for before `start` (default: every one the config has an
   * address for). A service that uses one only sometimes leaves it out.
   */
  servers?: readonly BootServer[];
  start(context: ServiceContext): Promise<ServiceHandle>;
}

const errorText = (error: unknown): string =>
  error instanceof Error ? `${error.name}: ${error.message}` : String(error);

/**
 * The process frame every service shares: logger, metrics, ops HTTP server,
 * signal handling, a wait for the servers it needs (one line per server that
 * is down, then quiet retries: `boot-servers.ts`), and a clean exit when a
 * fatal error escapes a stage (at-least-once delivery makes "crash and
 * restart" safe).
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
  const targets = bootTargets(options.config, options.servers);
  // False only when SIGTERM came first: the signal handler exits.
  if (!(await waitForServers(targets, { logger, isStopping: () => shutdown.isShuttingDown }))) return context;
  try {
    handle = await options.start(context);
  } catch (error) {
    // The stack is for debugging; the message names what failed.
    const debug = logger.isLevelEnabled('debug');
    logger.fatal(debug ? { err: error } : { error: errorText(error) }, 'failed to start');
    await shutdown.shutdown('start failed');
    process.exit(1);
  }
  logger.info('started');
  return context;
}
