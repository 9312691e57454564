import { Resolver } from 'node:dns/promises';
import type { IndicatorKind } from '@dragnet/indicators';
import type { EnrichmentResult } from './enrichment-result.js';
import { TokenBucket } from './token-bucket.js';

export const DNS_PROVIDER_NAME = 'dns';
export const DNS_PROVIDER_VERSION = 1;

export interface DnsProviderConfig {
  /** Network lookups leak interest in an indicator to its operator: off unless asked for. */
  enabled: boolean;
  /** Resolver address (IPv4 or IPv6 literal). */
  server: string;
  port: number;
  /** Per-attempt timeout. */
  timeoutMs: number;
  /** Extra attempts after a timed-out one. */
  retries: number;
  /** Queries per second (each domain costs two: A and AAAA). */
  ratePerSecond: number;
  /** Queries allowed at once before the rate applies. */
  burst: number;
}

export const DEFAULT_DNS_CONFIG: Readonly<DnsProviderConfig> = Object.freeze({
  enabled: false,
  server: '127.0.0.1',
  port: 53,
  timeoutMs: 2000,
  retries: 1,
  ratePerSecond: 50,
  burst: 10,
});

export type DnsStatus = 'ok' | 'nxdomain' | 'nodata' | 'timeout' | 'refused' | 'error';

export interface DnsLookup {
  status: DnsStatus;
  a: string[];
  aaaa: string[];
  /** Resolver error code when status is not ok/nodata/nxdomain. */
  error?: string;
}

export interface DnsProvider {
  readonly name: string;
  readonly version: number;
  readonly enabled: boolean;
  /** Null when the provider is disabled; never rejects. */
  resolve(domain: string): Promise<DnsLookup | null>;
}

interface QueryOutcome {
  status: DnsStatus;
  addresses: string[];
  error?: string;
}

function statusOfError(code: string | undefined): DnsStatus {
  switch (code) {
    case 'ENOTFOUND':
      return 'nxdomain';
    case 'ENODATA':
      return 'nodata';
    case 'ETIMEOUT':
    case 'ECANCELLED':
      return 'timeout';
    case 'ECONNREFUSED':
    case 'EREFUSED':
      return 'refused';
    default:
      return 'error';
  }
}

/** One status for the A+AAAA pair: any answer wins, then NXDOMAIN, then "no data", else the first failure. */
export function combineOutcomes(a: QueryOutcome, aaaa: QueryOutcome): DnsLookup {
  const lookup: DnsLookup = { status: 'error', a: a.addresses, aaaa: aaaa.addresses };
  const statuses = [a.status, aaaa.status];
  if (statuses.includes('ok')) lookup.status = 'ok';
  else if (statuses.includes('nxdomain')) lookup.status = 'nxdomain';
  else if (statuses.every((status) => status === 'nodata')) lookup.status = 'nodata';
  else {
    const failed = a.status === 'nodata' ? aaaa : a;
    lookup.status = failed.status;
    if (failed.error) lookup.error = failed.error;
  }
  return lookup;
}

function serverAddress(server: string, port: number): string {
  return server.includes(':') ? `[${server}]:${port}` : `${server}:${port}`;
}

const sleep = (ms: number) => new Promise<void>((resolve) => setTimeout(resolve, ms));

/** A/AAAA resolution of domain indicators against one configured resolver. */
export function createDnsProvider(overrides: Partial<DnsProviderConfig> = {}): DnsProvider {
  const config: DnsProviderConfig = { ...DEFAULT_DNS_CONFIG, ...overrides };
  const bucket = new TokenBucket(config.ratePerSecond, config.burst, Date.now());
  const resolver = new Resolver({ timeout: config.timeoutMs, tries: config.retries + 1 });
  if (config.enabled) resolver.setServers([serverAddress(config.server, config.port)]);
  // c-ares backs off between tries; bound the whole lookup so a caller never waits unboundedly.
  const deadlineMs = config.timeoutMs * (2 ** (config.retries + 1) - 1) + 1000;

  const query = async (lookup: () => Promise<string[]>): Promise<QueryOutcome> => {
    const wait = bucket.reserve(Date.now());
    if (wait > 0) await sleep(wait);
    try {
      return { status: 'ok', addresses: (await lookup()).sort() };
    } catch (error) {
      const code = (error as NodeJS.ErrnoException).code;
      const status = statusOfError(code);
      return {
        status,
        addresses: [],
        ...(status === 'nodata' || status === 'nxdomain' ? {} : { error: code ?? String(error) }),
      };
    }
  };

  const resolve = async (domain: string): Promise<DnsLookup | null> => {
    if (!config.enabled) return null;
    let timer: NodeJS.Timeout | undefined;
    const deadline = new Promise<void>((done) => {
      timer = setTimeout(() => {
        resolver.cancel();
        done();
      }, deadlineMs);
    });
    try {
      const both = Promise.all([
        query(() => resolver.resolve4(domain)),
        query(() => resolver.resolve6(domain)),
      ]);
      await Promise.race([both, deadline]);
      const [a, aaaa] = await both;
      return combineOutcomes(a, aaaa);
    } finally {
      clearTimeout(timer);
    }
  };

  return { name: DNS_PROVIDER_NAME, version: DNS_PROVIDER_VERSION, enabled: config.enabled, resolve };
}

/**
 * Adds `dragnet.dns` to an offline result for domain indicators when the DNS
 * provider is enabled; other kinds, or a disabled provider, pass through.
 */
export async function enrichWithDns(
  result: EnrichmentResult,
  kind: IndicatorKind,
  value: string,
  provider: DnsProvider,
): Promise<EnrichmentResult> {
  if (kind !== 'domain' || !provider.enabled) return result;
  const lookup = await provider.resolve(value);
  if (!lookup) return result;
  return {
    ...result,
    dragnet: {
      ...result.dragnet,
      dns: { a: lookup.a, aaaa: lookup.aaaa },
      providers: { ...result.dragnet.providers, [provider.name]: provider.version },
    },
  };
}
