import { connect } from 'node:net';
import type { Logger } from '@dragnet/logger';

/**
 * Before a service starts its clients, it waits until every server it talks
 * to accepts connections. A server that is down is reported in one line
 * (which server, where, what to do) as soon as the first probe fails, then
 * probed again quietly with backoff: no driver runs yet, so no library floods
 * the log with its own retries, and the process stays up until the server
 * answers or SIGTERM ends it.
 */

export type BootServer = 'kafka' | 'elasticsearch' | 'redis';

export interface Endpoint {
  host: string;
  port: number;
}

export interface BootTarget {
  server: BootServer;
  /** The variable that says where it is. */
  variable: string;
  /** Reachable when any of them accepts a connection. */
  endpoints: Endpoint[];
}

/** The address settings of @dragnet/config a service's configuration may have. */
export interface ServerAddresses {
  KAFKA_BROKERS?: readonly string[];
  ELASTICSEARCH_URL?: string;
  REDIS_URL?: string;
  REDIS_SENTINELS?: readonly string[] | undefined;
}

/** One probe's wait: a dead server is reported well within 5 s of the service starting. */
export const PROBE_TIMEOUT_MS = 3_000;

/** `host:port` or `[v6]:port`. */
function hostPort(entry: string): Endpoint {
  const colon = entry.lastIndexOf(':');
  return { host: entry.slice(0, colon).replace(/^\[(.*)\]$/, '$1'), port: Number(entry.slice(colon + 1)) };
}

function urlEndpoint(text: string, defaultPort: number): Endpoint {
  const url = new URL(text.trim());
  return { host: url.hostname.replace(/^\[(.*)\]$/, '$1'), port: Number(url.port) || defaultPort };
}

/** The servers a configuration names (or only `servers`, when given), with their endpoints; no credentials. */
export function bootTargets(config: ServerAddresses, servers?: readonly BootServer[]): BootTarget[] {
  const wanted = (server: BootServer) => servers === undefined || servers.includes(server);
  const targets: BootTarget[] = [];
  if (config.KAFKA_BROKERS && wanted('kafka'))
    targets.push({
      server: 'kafka',
      variable: 'KAFKA_BROKERS',
      endpoints: config.KAFKA_BROKERS.map(hostPort),
    });
  if (config.ELASTICSEARCH_URL && wanted('elasticsearch'))
    targets.push({
      server: 'elasticsearch',
      variable: 'ELASTICSEARCH_URL',
      endpoints: config.ELASTICSEARCH_URL.split(',').map((url) =>
        urlEndpoint(url, url.trim().startsWith('https:') ? 443 : 80),
      ),
    });
  if (config.REDIS_URL && wanted('redis'))
    targets.push(
      config.REDIS_SENTINELS && config.REDIS_SENTINELS.length > 0
        ? { server: 'redis', variable: 'REDIS_SENTINELS', endpoints: config.REDIS_SENTINELS.map(hostPort) }
        : { server: 'redis', variable: 'REDIS_URL', endpoints: [urlEndpoint(config.REDIS_URL, 6379)] },
    );
  return targets;
}

const formatEndpoint = ({ host, port }: Endpoint) =>
  host.includes(':') ? `[${host}]:${port}` : `${host}:${port}`;

/** Why a connection failed, in words. */
export function connectionProblem(error: unknown): string {
  const code = (error as { code?: unknown } | null)?.code;
  if (code === 'ECONNREFUSED') return 'connection refused';
  if (code === 'ETIMEDOUT' || code === 'PROBE_TIMEOUT') return `no answer in ${PROBE_TIMEOUT_MS / 1_000} s`;
  if (code === 'ENOTFOUND' || code === 'EAI_AGAIN') return 'unknown host';
  if (code === 'EHOSTUNREACH' || code === 'ENETUNREACH') return 'no route to the host';
  return typeof code === 'string' ? code : error instanceof Error ? error.message : String(error);
}

/** The one line a service logs for a server it cannot reach. */
export function unreachableLine(target: BootTarget, error: unknown): string {
  return `${target.server} at ${target.endpoints.map(formatEndpoint).join(',')} is not reachable (${connectionProblem(error)}): start it (the local stack: \`pnpm stack:up\`) or set ${target.variable}; retrying quietly with backoff until it answers`;
}

/** Resolves when `endpoint` accepts a TCP connection within `timeoutMs` (closed again at once). */
export function probeEndpoint({ host, port }: Endpoint, timeoutMs = PROBE_TIMEOUT_MS): Promise<void> {
  return new Promise((resolve, reject) => {
    const socket = connect({ host, port });
    const timer = setTimeout(
      () => socket.destroy(Object.assign(new Error('probe timeout'), { code: 'PROBE_TIMEOUT' })),
      timeoutMs,
    );
    socket.once('connect', () => {
      clearTimeout(timer);
      socket.destroy();
      resolve();
    });
    socket.once('error', (error) => {
      clearTimeout(timer);
      reject(error);
    });
  });
}

/** Reachable when any endpoint answers; otherwise the first endpoint's error. */
async function reach(target: BootTarget, probe: typeof probeEndpoint): Promise<unknown> {
  const results = await Promise.allSettled(target.endpoints.map((endpoint) => probe(endpoint)));
  if (results.some((result) => result.status === 'fulfilled')) return null;
  const failed = results.find((result) => result.status === 'rejected');
  return failed?.reason ?? new Error('no endpoint');
}

export interface WaitForServersOptions {
  logger: Pick<Logger, 'error' | 'info'>;
  /** True once shutdown began: the wait gives up. */
  isStopping(): boolean;
  probe?: typeof probeEndpoint;
  sleep?: (ms: number) => Promise<void>;
  /** Backoff between probes: doubling from `firstDelayMs` up to `maxDelayMs`. */
  policy?: { firstDelayMs: number; maxDelayMs: number };
}

const defaultSleep = (ms: number) => new Promise<void>((resolve) => setTimeout(resolve, ms).unref());

/** Waits until every target is reachable (true) or shutdown began (false); see the module comment. */
export async function waitForServers(
  targets: readonly BootTarget[],
  options: WaitForServersOptions,
): Promise<boolean> {
  const probe = options.probe ?? probeEndpoint;
  const sleep = options.sleep ?? defaultSleep;
  const { firstDelayMs, maxDelayMs } = options.policy ?? { firstDelayMs: 1_000, maxDelayMs: 30_000 };
  const started = Date.now();
  let pending = [...targets];
  const reported = new Set<BootServer>();
  for (let attempt = 0; ; attempt++) {
    const errors = await Promise.all(pending.map((target) => reach(target, probe)));
    const down = pending.filter((_, index) => errors[index] !== null);
    pending.forEach((target, index) => {
      if (errors[index] === null || reported.has(target.server)) return;
      reported.add(target.server);
      options.logger.error(unreachableLine(target, errors[index]));
    });
    if (down.length === 0) break;
    pending = down;
    // Waited in short steps, so SIGTERM does not sit out a long backoff.
    const delay = Math.min(maxDelayMs, firstDelayMs * 2 ** Math.min(attempt, 16));
    for (let waited = 0; waited < delay; waited += 500) {
      if (options.isStopping()) return false;
      await sleep(Math.min(500, delay - waited));
    }
    if (options.isStopping()) return false;
  }
  if (reported.size > 0)
    options.logger.info(
      { waitedMs: Date.now() - started },
      `${[...reported].join(', ')} answering now; starting`,
    );
  return true;
}
