/**
 * What a scaling pass measures (bench/scaling-pass.ts) and the table
 * `pnpm bench --instances …` prints from it. No imports: the parent process
 * reads it before any pass fixes a namespace.
 */

export const SCALED_SERVICES = ['normalizer', 'deduplicator', 'indexer', 'enricher'] as const;
export type ScaledService = (typeof SCALED_SERVICES)[number];

export interface ServiceCost {
  /** CPU (user + system) of all its instances from the first record produced to the last document enriched. */
  cpuSeconds: number;
  cpuSecondsPer1000: number;
  /** The largest peak RSS (VmHWM) of one instance. */
  peakRssMb: number;
}

export interface RedisMemory {
  mergeStates: number;
  /** `INFO memory` used_memory after minus before (the whole server: shared with whatever else ran). */
  usedMemoryDeltaBytes: number;
  /** `MEMORY USAGE` of up to 1,000 merge-state keys, averaged: this pass's states alone. */
  sampledBytesPerState: number;
  infoMbPerMillionStates: number;
  sampledMbPerMillionStates: number;
}

export interface ScalingResult {
  instances: number;
  partitions: number;
  indicators: number;
  documents: number;
  /** First record produced → every document indexed (first version). */
  indexedMs: number;
  /** First record produced → every document indexed and enriched: the end-to-end figure. */
  completeMs: number;
  indicatorsPerSecond: number;
  services: Record<ScaledService, ServiceCost>;
  redis: RedisMemory;
  loadAverage: { start: number; end: number };
}

const number = (value: number) => value.toLocaleString('en');

/** One row per pass; per service "CPU-s per 1,000 indicators · peak RSS". */
export function formatScalingTable(results: readonly ScalingResult[]): string {
  const header = [
    'instances',
    'partitions',
    'indicators/s',
    'complete in',
    ...SCALED_SERVICES.map((service) => `${service} cpu-s/1k · MB`),
    'Redis MB/1M states (INFO · sampled)',
    'load avg',
  ];
  const rows = results.map((result) => [
    String(result.instances),
    String(result.partitions),
    number(result.indicatorsPerSecond),
    `${(result.completeMs / 1_000).toFixed(1)} s`,
    ...SCALED_SERVICES.map((service) => {
      const cost = result.services[service];
      return `${cost.cpuSecondsPer1000.toFixed(2)} · ${cost.peakRssMb}`;
    }),
    `${number(result.redis.infoMbPerMillionStates)} · ${number(result.redis.sampledMbPerMillionStates)}`,
    `${result.loadAverage.start.toFixed(1)}–${result.loadAverage.end.toFixed(1)}`,
  ]);
  const widths = header.map((title, column) =>
    Math.max(title.length, ...rows.map((row) => row[column]!.length)),
  );
  return [header, ...rows]
    .map((row) =>
      row
        .map((cell, column) => cell.padEnd(widths[column]!))
        .join('  ')
        .trimEnd(),
    )
    .join('\n');
}
