/**
 * `pnpm bench:parse`: records per second per parser on the shared corpus and
 * on large synthetic lists (CSV and Avro), with heap use before and after to
 * show that memory stays bounded when a feed is fed message by message.
 */
import { readdirSync, readFileSync, statSync } from 'node:fs';
import { dirname, join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import { encodePartnerBatch, type FeedFormat, parseFeedMessage } from '../src/index.js';

const SHARED = resolve(dirname(fileURLToPath(import.meta.url)), '../../../../shared/feeds');
const context = {
  provider: 'bench',
  feedName: 'bench',
  defaultTlp: 'amber' as const,
  topic: 'feeds.bench',
  partition: 0,
  offset: '0',
  receivedAt: Date.now(),
};
const rows: [string, string][] = [];
const heapMb = () => process.memoryUsage().heapUsed / 2 ** 20;

function measure(label: string, messages: Buffer[], format: FeedFormat, repeat: number): void {
  let records = 0;
  const started = performance.now();
  for (let round = 0; round < repeat; round++) {
    for (const message of messages) {
      const result = parseFeedMessage(message, format, context);
      records += result.indicators.length + result.rejects.length;
    }
  }
  const seconds = (performance.now() - started) / 1_000;
  rows.push([
    label,
    `${Math.round(records / seconds).toLocaleString('en')} records/s (${records.toLocaleString('en')} in ${seconds.toFixed(2)} s)`,
  ]);
}

const walk = (dir: string): string[] =>
  readdirSync(dir).flatMap((name) =>
    statSync(join(dir, name)).isDirectory() ? walk(join(dir, name)) : [join(dir, name)],
  );
try {
  const files = walk(SHARED).filter((file) => !file.endsWith('LICENSE'));
  measure(
    'shared MISP (ESET events)',
    files.filter((f) => f.includes('/misp/')).map((f) => readFileSync(f)),
    { type: 'misp' },
    20,
  );
  measure(
    'shared STIX 2.0 (Unit 42)',
    files.filter((f) => f.includes('/unit42/')).map((f) => readFileSync(f)),
    { type: 'stix' },
    5,
  );
  measure(
    'shared hash lists (ESET, CSV)',
    files.filter((f) => f.includes('/hashes/')).map((f) => readFileSync(f)),
    { type: 'csv', valueColumn: 0, commentPrefix: '#' },
    50,
  );
} catch {
  rows.push(['shared corpus', `not found at ${SHARED}`]);
}

const SIZE = Number(process.env.BENCH_PARSE_SIZE ?? 1_000_000);
const PER_MESSAGE = 10_000;
const ip = (n: number) => `${11 + ((n >>> 24) % 200)}.${(n >>> 16) & 255}.${(n >>> 8) & 255}.${n & 255}`;
const heapBefore = heapMb();
let csvRecords = 0;
let started = performance.now();
let peakHeap = heapBefore;
for (let start = 0; start < SIZE; start += PER_MESSAGE) {
  const lines: string[] = [];
  for (let n = start; n < Math.min(SIZE, start + PER_MESSAGE); n++)
    lines.push(
      n % 2
        ? `${ip(n)},ipv4,2026-01-01T00:00:00Z`
        : `update-${n.toString(36)}.example.com,domain,2026-01-01T00:00:00Z`,
    );
  const result = parseFeedMessage(
    Buffer.from(lines.join('\n')),
    { type: 'csv', valueColumn: 0, typeColumn: 1, firstSeenColumn: 2 },
    context,
  );
  csvRecords += result.indicators.length;
  peakHeap = Math.max(peakHeap, heapMb());
}
rows.push([
  `synthetic CSV (${SIZE.toLocaleString('en')} lines)`,
  `${Math.round(csvRecords / ((performance.now() - started) / 1_000)).toLocaleString('en')} indicators/s, heap ${heapBefore.toFixed(0)} → peak ${peakHeap.toFixed(0)} MB`,
]);

let avroRecords = 0;
const avroMessages: Buffer[] = [];
for (let start = 0; start < Math.min(SIZE, 100_000); start += PER_MESSAGE) {
  avroMessages.push(
    encodePartnerBatch(
      Array.from({ length: PER_MESSAGE }, (_, i) => ({
        type: 'ipv4',
        value: ip(start + i),
        first_seen: Date.UTC(2026, 0, 1),
        confidence: 70,
        tags: ['c2'],
      })),
    ),
  );
}
started = performance.now();
const rounds = Math.max(1, Math.round(SIZE / 100_000));
for (let round = 0; round < rounds; round++) {
  for (const message of avroMessages)
    avroRecords += parseFeedMessage(message, { type: 'avro', schemaVersion: 2 }, context).indicators.length;
}
rows.push([
  `synthetic Avro (${avroRecords.toLocaleString('en')} records)`,
  `${Math.round(avroRecords / ((performance.now() - started) / 1_000)).toLocaleString('en')} indicators/s, heap after ${heapMb().toFixed(0)} MB`,
]);

const width = Math.max(...rows.map(([label]) => label.length));
console.log(rows.map(([label, value]) => `${label.padEnd(width)}  ${value}`).join('\n'));
