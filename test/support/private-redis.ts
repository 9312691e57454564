import { type ChildProcess, spawn } from 'node:child_process';
import { copyFileSync, existsSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { createServer } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { createRedis, type Redis } from '@dragnet/redis/driver';
import { eventually, stack } from '@dragnet/test-kit';

/**
 * A Redis server of one test's own (Debian's `redis-server`, loopback, its own
 * directory), so the test can kill -9 it and restart it from an old snapshot
 * without touching the shared Redis colleagues use. No persistence unless the
 * test asks for it (`snapshot()` = `SAVE`): a restart starts empty, or from
 * the snapshot the test kept.
 */
export interface PrivateRedis {
  url: string;
  port: number;
  dir: string;
  /** `SAVE` now and keep a copy of the dump: `restart({ fromSnapshot })` loads it. */
  snapshot(): Promise<string>;
  /** kill -9 (no shutdown save). */
  kill(): Promise<void>;
  /** Starts again on the same port: empty, or from a snapshot taken earlier. */
  start(options?: { fromSnapshot?: string }): Promise<void>;
  client(): Redis;
  stop(): Promise<void>;
}

export async function freePort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const server = createServer();
    server.once('error', reject);
    server.listen(0, '127.0.0.1', () => {
      const { port } = server.address() as { port: number };
      server.close(() => resolve(port));
    });
  });
}

export async function startPrivateRedis(): Promise<PrivateRedis> {
  const port = await freePort();
  const dir = mkdtempSync(join(tmpdir(), 'dragnet-redis-'));
  // The services get the bare URL and add the identity their configuration gives them (on the
  // secured stack, the same admin user as the test's own clients): this server knows that user.
  const url = `redis://127.0.0.1:${port}`;
  const identity = new URL(stack.REDIS_URL);
  const user = identity.username ? decodeURIComponent(identity.username) : null;
  const password = identity.password ? decodeURIComponent(identity.password) : null;
  const authUrl = user ? `redis://${identity.username}:${identity.password}@127.0.0.1:${port}` : url;
  // ACL users go in a config file (redis-server's command line takes no spaces in a user rule).
  const accessFile = join(dir, 'access.conf');
  writeFileSync(
    accessFile,
    user && password ? `user default off\nuser ${user} on >${password} ~* &* +@all\n` : '',
    { mode: 0o600 },
  );
  let child: ChildProcess | null = null;
  let snapshots = 0;

  const ping = async () => {
    const probe = createRedis({
      url: authUrl,
      connectionName: 'dragnet-test-probe',
      maxRetriesPerRequest: 1,
    });
    probe.on('error', () => undefined);
    try {
      return await probe.ping();
    } finally {
      probe.disconnect();
    }
  };

  const launch = async (fromSnapshot?: string) => {
    const dump = join(dir, 'dump.rdb');
    rmSync(dump, { force: true });
    if (fromSnapshot) copyFileSync(fromSnapshot, dump);
    child = spawn(
      'redis-server',
      [
        accessFile,
        '--bind',
        '127.0.0.1',
        '--port',
        String(port),
        '--dir',
        dir,
        '--dbfilename',
        'dump.rdb',
        '--save',
        '',
        '--appendonly',
        'no',
        '--maxmemory-policy',
        'noeviction',
        '--logfile',
        join(dir, 'redis.log'),
      ],
      { stdio: 'ignore' },
    );
    await eventually(ping, (answer) => answer === 'PONG', {
      timeoutMs: 15_000,
      what: `redis-server on ${port}`,
    });
  };

  const kill = async () => {
    const running = child;
    child = null;
    if (!running || running.exitCode !== null || running.signalCode !== null) return;
    const exited = new Promise((resolve) => running.once('exit', resolve));
    running.kill('SIGKILL');
    await exited;
  };

  await launch();
  return {
    url,
    port,
    dir,
    async snapshot() {
      const redis = createRedis({
        url: authUrl,
        connectionName: 'dragnet-test-save',
        maxRetriesPerRequest: 1,
      });
      redis.on('error', () => undefined);
      try {
        await redis.call('SAVE');
      } finally {
        redis.disconnect();
      }
      const kept = join(dir, `snapshot-${++snapshots}.rdb`);
      copyFileSync(join(dir, 'dump.rdb'), kept);
      return kept;
    },
    kill,
    async start(options = {}) {
      await kill();
      if (options.fromSnapshot && !existsSync(options.fromSnapshot))
        throw new Error(`no snapshot ${options.fromSnapshot}`);
      await launch(options.fromSnapshot);
    },
    client: () => createRedis({ url: authUrl, connectionName: 'dragnet-test', maxRetriesPerRequest: 1 }),
    async stop() {
      await kill();
      rmSync(dir, { recursive: true, force: true });
    },
  };
}
