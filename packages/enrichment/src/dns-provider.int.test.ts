import { type ChildProcess, spawn, spawnSync } from 'node:child_process';
import { createSocket, type Socket } from 'node:dgram';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createDnsProvider, enrichWithDns } from './dns-provider.js';
import { emptyResult } from './enrichment-result.js';

/**
 * A real DNS server (dnsmasq) on loopback answers fixed records. CI installs it;
 * a machine without it fails here with the package to install, never skips.
 */
const DNSMASQ_PACKAGE = 'dnsmasq-base';

async function freeUdpPort(): Promise<number> {
  const socket = createSocket('udp4');
  await new Promise<void>((resolve) => socket.bind(0, '127.0.0.1', resolve));
  const { port } = socket.address();
  await new Promise<void>((resolve) => socket.close(() => resolve()));
  return port;
}

function dnsmasqBinary(): string {
  const found = spawnSync('sh', ['-c', 'command -v dnsmasq || ls /usr/sbin/dnsmasq'], { encoding: 'utf8' });
  const path = found.stdout.trim().split('\n')[0];
  if (found.status !== 0 || !path) {
    throw new Error(
      `dnsmasq not found: install the Debian package "${DNSMASQ_PACKAGE}" (apt-get install -y ${DNSMASQ_PACKAGE})`,
    );
  }
  return path;
}

let dnsmasq: ChildProcess | undefined;
let silent: Socket | undefined;
let port = 0;
let silentPort = 0;

async function waitUntilAnswering(): Promise<void> {
  const probe = createDnsProvider({
    enabled: true,
    port,
    timeoutMs: 200,
    retries: 0,
    ratePerSecond: 1000,
    burst: 100,
  });
  for (let attempt = 0; attempt < 50; attempt++) {
    const lookup = await probe.resolve('known.dragnet.test');
    if (lookup?.status === 'ok') return;
    await new Promise((resolve) => setTimeout(resolve, 100));
  }
  throw new Error('dnsmasq did not start answering within 5 s');
}

beforeAll(async () => {
  const binary = dnsmasqBinary();
  port = await freeUdpPort();
  dnsmasq = spawn(
    binary,
    [
      '--no-daemon',
      `--port=${port}`,
      '--listen-address=127.0.0.1',
      '--bind-interfaces',
      '--no-resolv',
      '--no-hosts',
      '--conf-file=/dev/null',
      '--pid-file=',
      // Answer NXDOMAIN for unknown names in the test zone instead of REFUSED.
      '--local=/dragnet.test/',
      '--address=/known.dragnet.test/192.0.2.10',
      '--host-record=dual.dragnet.test,192.0.2.20,2001:db8::20',
      '--host-record=v6only.dragnet.test,2001:db8::66',
      ...(process.getuid?.() === 0 ? ['--user=root'] : []),
    ],
    { stdio: ['ignore', 'ignore', 'pipe'] },
  );
  let stderr = '';
  dnsmasq.stderr?.on('data', (chunk: Buffer) => {
    stderr += chunk.toString();
  });
  dnsmasq.on('exit', (code) => {
    if (code !== null && code !== 0) console.error(`dnsmasq exited with ${code}: ${stderr}`);
  });
  // A UDP socket that reads queries and never answers: a deterministic timeout.
  silent = createSocket('udp4');
  await new Promise<void>((resolve) => silent!.bind(0, '127.0.0.1', resolve));
  silentPort = silent.address().port;
  await waitUntilAnswering();
});

afterAll(async () => {
  silent?.close();
  if (dnsmasq && dnsmasq.exitCode === null) {
    const exited = new Promise((resolve) => dnsmasq!.once('exit', resolve));
    dnsmasq.kill('SIGTERM');
    await exited;
  }
});

describe('DNS provider against dnsmasq', () => {
  const provider = () => createDnsProvider({ enabled: true, port, timeoutMs: 1000, retries: 1 });

  it('resolves A records', async () => {
    expect(await provider().resolve('known.dragnet.test')).toEqual({
      status: 'ok',
      a: ['192.0.2.10'],
      aaaa: [],
    });
  });

  it('resolves A and AAAA records', async () => {
    expect(await provider().resolve('dual.dragnet.test')).toEqual({
      status: 'ok',
      a: ['192.0.2.20'],
      aaaa: ['2001:db8::20'],
    });
    expect(await provider().resolve('v6only.dragnet.test')).toMatchObject({
      status: 'ok',
      a: [],
      aaaa: ['2001:db8::66'],
    });
  });

  it('reports NXDOMAIN for unknown names', async () => {
    expect(await provider().resolve('unknown.dragnet.test')).toEqual({ status: 'nxdomain', a: [], aaaa: [] });
  });

  it('adds dragnet.dns for domain indicators only', async () => {
    const result = await enrichWithDns(emptyResult(), 'domain', 'dual.dragnet.test', provider());
    expect(result.dragnet.dns).toEqual({ a: ['192.0.2.20'], aaaa: ['2001:db8::20'] });
    expect(result.dragnet.providers).toEqual({ dns: 1 });
    const url = await enrichWithDns(emptyResult(), 'url', 'http://dual.dragnet.test/', provider());
    expect(url.dragnet.dns).toBeUndefined();
  });

  it('does nothing when disabled (the default)', async () => {
    const disabled = createDnsProvider({ port });
    expect(disabled.enabled).toBe(false);
    expect(await disabled.resolve('known.dragnet.test')).toBeNull();
    expect(
      (await enrichWithDns(emptyResult(), 'domain', 'known.dragnet.test', disabled)).dragnet.dns,
    ).toBeUndefined();
  });

  it('times out against a resolver that never answers, without throwing', async () => {
    const started = Date.now();
    const lookup = await createDnsProvider({
      enabled: true,
      port: silentPort,
      timeoutMs: 300,
      retries: 1,
    }).resolve('known.dragnet.test');
    expect(lookup).toMatchObject({ status: 'timeout', a: [], aaaa: [] });
    expect(Date.now() - started).toBeLessThan(5000);
  });

  it('fails cleanly against a port where nothing listens', async () => {
    const closedPort = await freeUdpPort();
    const lookup = await createDnsProvider({
      enabled: true,
      port: closedPort,
      timeoutMs: 300,
      retries: 0,
    }).resolve('known.dragnet.test');
    expect(lookup?.status).toMatch(/^(timeout|refused|error)$/);
    expect(lookup).toMatchObject({ a: [], aaaa: [] });
  });

  it('rate-limits queries with the token bucket', async () => {
    // 4 queries per second, burst 2: five domains = ten queries → at least 2 s.
    const limited = createDnsProvider({ enabled: true, port, ratePerSecond: 4, burst: 2 });
    const started = Date.now();
    const names = ['known', 'dual', 'v6only', 'unknown', 'known'].map((label) => `${label}.dragnet.test`);
    const lookups = await Promise.all(names.map((name) => limited.resolve(name)));
    expect(lookups.map((lookup) => lookup?.status)).toEqual(['ok', 'ok', 'ok', 'nxdomain', 'ok']);
    expect(Date.now() - started).toBeGreaterThanOrEqual(1900);
  });
});
