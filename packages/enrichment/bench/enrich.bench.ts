/**
 * Offline enrichment benchmark: `pnpm bench:enrich [warninglist-dir]`.
 *
 * Loads ALL shared MISP warninglists, generates 200,000 mixed indicators from a
 * fixed seed and reports, for one process: list load time and memory, IP
 * database open time, warninglist matches/s, and full enrichments/s (IP +
 * domain + warninglist providers).
 */
import { readFileSync } from 'node:fs';
import { dirname, join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import type { IndicatorKind } from '@dragnet/indicators';
import {
  createDomainProvider,
  createIpProvider,
  createWarninglistProvider,
  enrichIndicator,
  loadWarninglists,
  WarninglistIndex,
} from '../src/index.js';

const COUNT = 200_000;
const SEED = 0x5eed;
const HERE = dirname(fileURLToPath(import.meta.url));
const LIST_DIR = resolve(process.argv[2] ?? join(HERE, '../../../../shared/warninglists'));

/** mulberry32: tiny deterministic PRNG so every run enriches the same indicators. */
function prng(seed: number): () => number {
  let state = seed >>> 0;
  return () => {
    state = (state + 0x6d2b79f5) >>> 0;
    let t = state;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

interface Sample {
  kind: IndicatorKind;
  value: string;
}

/** Walks cumulative shares: the maker whose share interval contains `roll`. */
function pick<T>(weighted: readonly [number, T][], roll: number): T {
  let remaining = roll;
  for (const [share, item] of weighted) {
    remaining -= share;
    if (remaining < 0) return item;
  }
  return weighted[weighted.length - 1]![1];
}

function generate(random: () => number, realDomains: string[], realIps: string[]): Sample[] {
  const int = (max: number) => Math.floor(random() * max);
  const hex = (length: number) => Array.from({ length }, () => '0123456789abcdef'[int(16)]).join('');
  const word = () => Array.from({ length: 4 + int(8) }, () => 'abcdefghijklmnopqrstuvwxyz'[int(26)]).join('');
  const tlds = ['com', 'net', 'org', 'ru', 'co.uk', 'xyz', 'top', 'github.io', 'de', 'cn'];
  const domain = () =>
    random() < 0.15
      ? realDomains[int(realDomains.length)]!
      : `${random() < 0.4 ? `${word()}.` : ''}${word()}.${tlds[int(tlds.length)]}`;
  const ipv4 = () =>
    random() < 0.05 ? realIps[int(realIps.length)]! : `${1 + int(223)}.${int(256)}.${int(256)}.${int(256)}`;
  const makers: [number, () => Sample][] = [
    [0.3, () => ({ kind: 'ipv4', value: ipv4() })],
    [
      0.05,
      () => ({
        kind: 'ipv6',
        value: `2${hex(3)}:${hex(4)}:${int(65536).toString(16)}::${int(65536).toString(16)}`,
      }),
    ],
    [0.05, () => ({ kind: 'cidr', value: `${1 + int(223)}.${int(256)}.${int(256)}.0/24` })],
    [0.25, () => ({ kind: 'domain', value: domain() })],
    [0.15, () => ({ kind: 'url', value: `https://${domain()}/${word()}/${word()}.php` })],
    [0.05, () => ({ kind: 'email', value: `${word()}@${domain()}` })],
    [0.05, () => ({ kind: 'md5', value: hex(32) })],
    [0.03, () => ({ kind: 'sha1', value: hex(40) })],
    [0.07, () => ({ kind: 'sha256', value: hex(64) })],
  ];
  const samples: Sample[] = [];
  for (let index = 0; index < COUNT; index++) {
    samples.push(pick(makers, random())());
  }
  return samples;
}

function readList(file: string): string[] {
  return (JSON.parse(readFileSync(join(LIST_DIR, file), 'utf8')) as { list: string[] }).list;
}

function timed<T>(run: () => T): [T, number] {
  const started = performance.now();
  const value = run();
  return [value, performance.now() - started];
}

const mb = (bytes: number) => `${(bytes / 1048576).toFixed(0)} MiB`;

function rate(label: string, samples: Sample[], run: (sample: Sample) => unknown): void {
  for (let index = 0; index < 20_000; index++) run(samples[index]!); // JIT warm-up
  const [, ms] = timed(() => {
    for (const sample of samples) run(sample);
  });
  console.log(
    `${label.padEnd(38)} ${Math.round((samples.length / ms) * 1000).toLocaleString('en-US')}/s  (${ms.toFixed(0)} ms)`,
  );
}

async function main(): Promise<void> {
  global.gc?.();
  const heapBefore = process.memoryUsage().heapUsed;
  let started = performance.now();
  const loaded = await loadWarninglists(LIST_DIR);
  const readMs = performance.now() - started;
  started = performance.now();
  const index = new WarninglistIndex(loaded.lists, {}, loaded.errors);
  const buildMs = performance.now() - started;
  global.gc?.();
  const entries = index.lists.reduce((sum, list) => sum + list.entries, 0);
  console.log(
    `warninglists: ${index.lists.length} lists, ${entries.toLocaleString('en-US')} entries, ${index.errors.length} load errors`,
  );
  console.log(`  load (read+parse) ${readMs.toFixed(0)} ms, index build ${buildMs.toFixed(0)} ms`);
  console.log(`  heap after load ${mb(process.memoryUsage().heapUsed - heapBefore)} (incl. parsed lists)`);

  const [ip, ipMs] = timed(() => createIpProvider());
  console.log(
    `IP databases opened in ${ipMs.toFixed(0)} ms: ASN ${ip.databases.asn.package} (${ip.databases.asn.buildDate}),`,
  );
  console.log(`  country ${ip.databases.country.package} (${ip.databases.country.buildDate})`);
  const providers = [ip, createDomainProvider(), createWarninglistProvider(index)];

  const samples = generate(prng(SEED), readList('tranco10k.json'), readList('public-dns-v4.json'));
  console.log(`\n${COUNT.toLocaleString('en-US')} mixed indicators (seed ${SEED}), one process:`);
  rate('warninglist matching (all lists)', samples, (sample) => index.match(sample.kind, sample.value));
  rate('enrichment, all offline providers', samples, (sample) =>
    enrichIndicator(sample.kind, sample.value, providers),
  );
  const hits = samples.filter((sample) => index.match(sample.kind, sample.value).length > 0).length;
  console.log(`  (${hits.toLocaleString('en-US')} indicators hit at least one list)`);
  const memory = process.memoryUsage();
  console.log(
    `process memory: rss ${mb(memory.rss)}, heap used ${mb(memory.heapUsed)}, external ${mb(memory.external)}`,
  );
}

await main();
