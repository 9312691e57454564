/**
 * `pnpm bench:parse`: records per second per parser and format, on the shared
 * corpus and on large synthetic lists (CSV and Avro, 1,000,000 records in
 * messages of 10,000), with heap use before, at peak and after to show that
 * memory stays bounded when a feed is parsed message by message.
 * BENCH_PARSE_SIZE overrides the synthetic size.
 */
import { readdirSync, readFileSync, statSync } from 'node:fs';
import { join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import { setFlagsFromString } from 'node:v8';
import { runInNewContext } from 'node:vm';
import {
  encodePartnerBatch,
  type FeedFormat,
  type PartnerIndicator,
  parseFeedMessage,
} from '../src/index.js';

setFlagsFromString('--expose-gc');
const gc = runInNewContext('gc') as () => void;
const REPO_ROOT = fileURLToPath(new URL('../../../', import.meta.url));
const SHARED = resolve(REPO_ROOT, '..', 'shared', 'feeds');
const context = {
  provider: 'bench',
  feedName: 'bench',
  defaultTlp: 'amber' as const,
  topic: 'feeds.bench',
  partition: 0,
  offset: '0',
  receivedAt: Date.now(),
};
const rows: string[][] = [
  ['input', 'records', 'wall s', 'records/s (wall)', 'records/CPU-s', 'heap MB (before → peak → after GC)'],
];
const heapMb = () => process.memoryUsage().heapUsed / 2 ** 20;

/** Parses every message `rounds` times, counting indicators and rejects alike (each is one record handled). */
function measure(label: string, messages: () => Iterable<Buffer>, format: FeedFormat, rounds = 1): void {
  gc();
  const before = heapMb();
  let peak = before;
  let records = 0;
  const cpuBefore = process.cpuUsage();
  const started = performance.now();
  for (let round = 0; round < rounds; round++) {
    let count = 0;
    for (const message of messages()) {
      const result = parseFeedMessage(message, format, context);
      records += result.indicators.length + result.rejects.length;
      // Sampled, with the last result still alive: memoryUsage() itself costs ~0.1 ms.
      if (++count % 16 === 0 || message.length > 100_000) peak = Math.max(peak, heapMb());
    }
  }
  const seconds = (performance.now() - started) / 1_000;
  const cpu = process.cpuUsage(cpuBefore);
  // CPU time (user + system, GC helper threads included) is the fair figure on a shared machine.
  const cpuSeconds = (cpu.user + cpu.system) / 1e6;
  gc();
  rows.push([
    label,
    records.toLocaleString('en'),
    seconds.toFixed(2),
    Math.round(records / seconds).toLocaleString('en'),
    Math.round(records / cpuSeconds).toLocaleString('en'),
    `${before.toFixed(0)} → ${peak.toFixed(0)} → ${heapMb().toFixed(0)}`,
  ]);
}

const walk = (dir: string): string[] =>
  readdirSync(dir).flatMap((name) =>
    statSync(join(dir, name)).isDirectory() ? walk(join(dir, name)) : [join(dir, name)],
  );

let files: string[] = [];
try {
  files = walk(SHARED).filter((file) => !file.includes('LICENSE'));
} catch {
  rows.push(['shared corpus', `not found at ${SHARED}`, '', '', '', '']);
}
if (files.length > 0) {
  const read = (part: string) =>
    files.filter((file) => file.includes(part)).map((file) => readFileSync(file));
  const misp = read('/misp/');
  const stix = read('/unit42/');
  measure('shared MISP (ESET events) ×20', () => misp, { type: 'misp' }, 20);
  measure('shared STIX 2.0 (Unit 42) ×5', () => stix, { type: 'stix' }, 5);
  for (const kind of ['md5', 'sha1', 'sha256'] as const) {
    const lists = read(`samples.${kind}`);
    measure(
      `shared ESET samples.${kind} ×200`,
      () => lists,
      { type: 'csv', valueColumn: 0, fixedKind: kind },
      200,
    );
  }
}

const SIZE = Number(process.env.BENCH_PARSE_SIZE ?? 1_000_000);
const PER_MESSAGE = 10_000;
const ip = (n: number) => `${11 + ((n >>> 24) % 200)}.${(n >>> 16) & 255}.${(n >>> 8) & 255}.${n & 255}`;
const domain = (n: number) => `update-${n.toString(36)}.example.com`;

/** Messages are generated before timing; only their bytes (off-heap Buffers) are kept, as a consumer would. */
function csvMessages(line: (n: number) => string): Buffer[] {
  const messages: Buffer[] = [];
  for (let start = 0; start < SIZE; start += PER_MESSAGE) {
    let text = '';
    for (let n = start; n < Math.min(SIZE, start + PER_MESSAGE); n++) text += `${line(n)}\n`;
    messages.push(Buffer.from(text));
  }
  return messages;
}

const typed = csvMessages((n) =>
  n % 2 ? `${ip(n)},ipv4,2026-01-01T00:00:00Z` : `${domain(n)},domain,2026-01-01T00:00:00Z`,
);
measure(`synthetic CSV, typed (value,type,first_seen), ${SIZE.toLocaleString('en')} lines`, () => typed, {
  type: 'csv',
  valueColumn: 0,
  typeColumn: 1,
  firstSeenColumn: 2,
});
const ips = csvMessages(ip);
measure(`synthetic CSV, one IPv4 per line (fixedKind), ${SIZE.toLocaleString('en')} lines`, () => ips, {
  type: 'csv',
  valueColumn: 0,
  fixedKind: 'ipv4',
});
const untyped = csvMessages((n) => (n % 2 ? ip(n) : domain(n)));
measure(`synthetic CSV, untyped (detectKind), ${SIZE.toLocaleString('en')} lines`, () => untyped, {
  type: 'csv',
  valueColumn: 0,
});

// Avro messages are encoded up front (encoding is the partner's cost, not ours): only the bytes are kept.
const avroMessages: Buffer[] = [];
for (let start = 0; start < SIZE; start += PER_MESSAGE) {
  const items: Partial<PartnerIndicator>[] = [];
  for (let n = start; n < Math.min(SIZE, start + PER_MESSAGE); n++) {
    items.push(
      n % 2
        ? { type: 'ipv4', value: ip(n), first_seen: Date.UTC(2026, 0, 1), confidence: 70, tags: ['c2'] }
        : { type: 'domain', value: domain(n), first_seen: Date.UTC(2026, 0, 1), tlp: 'green' },
    );
  }
  avroMessages.push(encodePartnerBatch(items, 1));
}
measure(`synthetic Avro v1 → v2 reader, ${SIZE.toLocaleString('en')} records`, () => avroMessages, {
  type: 'avro',
  schemaVersion: 1,
});

const widths = rows[0]!.map((_, column) => Math.max(...rows.map((row) => (row[column] ?? '').length)));
for (const row of rows) {
  console.log(
    row
      .map((cell, column) => (column === 0 ? cell.padEnd(widths[0]!) : cell.padStart(widths[column]!)))
      .join('  '),
  );
}
