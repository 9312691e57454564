import { createServer } from 'node:net';
import { describe, expect, it } from 'vitest';
import {
  type BootTarget,
  bootTargets,
  type Endpoint,
  probeEndpoint,
  unreachableLine,
  waitForServers,
} from './boot-servers.js';

const refused = Object.assign(new Error('connect ECONNREFUSED'), { code: 'ECONNREFUSED' });

/** A logger that keeps what it was given. */
function recordingLogger() {
  const lines: { level: 'error' | 'info'; msg: string }[] = [];
  const record = (level: 'error' | 'info') => (first: unknown, second?: unknown) => {
    lines.push({ level, msg: String(typeof first === 'string' ? first : second) });
  };
  return { lines, logger: { error: record('error'), info: record('info') } as never };
}

const kafka: BootTarget = {
  server: 'kafka',
  variable: 'KAFKA_BROKERS',
  endpoints: [{ host: '127.0.0.1', port: 1 }],
};
const redis: BootTarget = {
  server: 'redis',
  variable: 'REDIS_URL',
  endpoints: [{ host: '127.0.0.1', port: 2 }],
};

describe('bootTargets', () => {
  it('reads every address a configuration has, without credentials, with default ports', () => {
    expect(
      bootTargets({
        KAFKA_BROKERS: ['a:9092', '[::1]:9093'],
        ELASTICSEARCH_URL: 'https://user:secret@es1:9200, http://es2',
        REDIS_URL: 'redis://u:secret@cache',
      }),
    ).toEqual([
      {
        server: 'kafka',
        variable: 'KAFKA_BROKERS',
        endpoints: [
          { host: 'a', port: 9092 },
          { host: '::1', port: 9093 },
        ],
      },
      {
        server: 'elasticsearch',
        variable: 'ELASTICSEARCH_URL',
        endpoints: [
          { host: 'es1', port: 9200 },
          { host: 'es2', port: 80 },
        ],
      },
      { server: 'redis', variable: 'REDIS_URL', endpoints: [{ host: 'cache', port: 6379 }] },
    ]);
  });

  it('asks the Sentinels when there are some, and keeps only the servers asked for', () => {
    const config = { KAFKA_BROKERS: ['a:1'], REDIS_URL: 'redis://x:1', REDIS_SENTINELS: ['s1:26379'] };
    expect(bootTargets(config, ['redis'])).toEqual([
      { server: 'redis', variable: 'REDIS_SENTINELS', endpoints: [{ host: 's1', port: 26379 }] },
    ]);
    expect(bootTargets({})).toEqual([]);
  });
});

describe('unreachableLine', () => {
  it('names the server, its address, the problem and the fix', () => {
    expect(unreachableLine(kafka, refused)).toBe(
      'kafka at 127.0.0.1:1 is not reachable (connection refused): start it (the local stack: `pnpm stack:up`) or set KAFKA_BROKERS; retrying quietly with backoff until it answers',
    );
    expect(
      unreachableLine({ ...kafka, endpoints: [{ host: '::1', port: 9 }] }, { code: 'ENOTFOUND' }),
    ).toContain('kafka at [::1]:9 is not reachable (unknown host)');
  });
});

describe('waitForServers', () => {
  it('reports each server that is down once, retries quietly with doubling waits, and says when they answer', async () => {
    const { lines, logger } = recordingLogger();
    let kafkaDownFor = 3;
    const probe = async (endpoint: Endpoint) => {
      if (endpoint.port === 1 && kafkaDownFor-- > 0) throw refused;
    };
    const slept: number[] = [];
    const ok = await waitForServers([kafka, redis], {
      logger,
      isStopping: () => false,
      probe,
      sleep: async (ms) => {
        slept.push(ms);
      },
      policy: { firstDelayMs: 400, maxDelayMs: 1_000 },
    });
    expect(ok).toBe(true);
    expect(lines.map((line) => line.level)).toEqual(['error', 'info']);
    expect(lines[0]!.msg).toMatch(/^kafka at 127\.0\.0\.1:1 is not reachable/);
    expect(lines[1]!.msg).toBe('kafka answering now; starting');
    // 400, then 800, then 1,000 (the cap), each cut into steps of at most 500 ms.
    expect(slept).toEqual([400, 500, 300, 500, 500]);
  });

  it('logs nothing when every server answers, and gives up when shutdown begins', async () => {
    const quiet = recordingLogger();
    expect(
      await waitForServers([kafka], { logger: quiet.logger, isStopping: () => false, probe: async () => {} }),
    ).toBe(true);
    expect(quiet.lines).toEqual([]);

    const stopping = recordingLogger();
    let stop = false;
    const result = await waitForServers([kafka], {
      logger: stopping.logger,
      isStopping: () => stop,
      probe: async () => {
        throw refused;
      },
      sleep: async () => {
        stop = true;
      },
    });
    expect(result).toBe(false);
    expect(stopping.lines.map((line) => line.level)).toEqual(['error']);
  });
});

describe('probeEndpoint', () => {
  it('resolves for a listening port and rejects with the code for a closed one', async () => {
    const server = createServer((socket) => socket.destroy());
    await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
    const port = (server.address() as { port: number }).port;
    await expect(probeEndpoint({ host: '127.0.0.1', port })).resolves.toBeUndefined();
    await new Promise((resolve) => server.close(resolve));
    await expect(probeEndpoint({ host: '127.0.0.1', port })).rejects.toMatchObject({ code: 'ECONNREFUSED' });
  });
});
