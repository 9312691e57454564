import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { generateIndicators, toCsvLine } from '@dragnet/feedgen';
import type { TestKafka as Kafka } from '@dragnet/test-kit';
import { pushFile, SYNTHETIC_PARTNERS } from '../pipeline-kit.js';

const DAY_MS = 86_400_000;

/**
 * `pushGenerated` with a date shift: the same seed gives the same observables
 * for the same partners; `daysLater` moves every sighting on, so a re-push
 * changes every merged state already known (a cache hit that must be written
 * again) instead of adding new indicators.
 */
export async function pushFeed(kafka: Kafka, count: number, seed: number, daysLater = 0): Promise<void> {
  const dir = mkdtempSync(join(tmpdir(), 'dragnet-faults-infra-'));
  const items = [
    ...generateIndicators({
      count,
      duplicateRatio: 0.3,
      seed,
      partners: SYNTHETIC_PARTNERS,
      baseTime: Date.UTC(2026, 0, 1) + daysLater * DAY_MS,
    }),
  ];
  for (const partner of SYNTHETIC_PARTNERS) {
    const file = join(dir, `${partner}.csv`);
    const lines = items.filter((item) => item.partner === partner).map(toCsvLine);
    writeFileSync(file, `${lines.join('\n')}\n`);
    await pushFile(kafka, partner, file, 200);
  }
}
