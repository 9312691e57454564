/**
 * `tsx packages/indicators/bench/refang.bench.ts`: refang time against input
 * size on whitespace runs around dots and brackets — the input that made the
 * former regular expressions quadratic (64 KiB took 32 s). Linear means the
 * µs per KiB column stays flat as the size doubles.
 */
import { refang } from '../src/refang.js';

const sample = (size: number) => {
  const run = ' '.repeat(size / 4);
  return `a${run}.${run}[ b ${run}(x${run}z`;
};

console.log('input KiB   ms/call   µs per KiB');
for (let size = 16 * 1024; size <= 4 * 1024 * 1024; size *= 2) {
  const input = sample(size);
  const rounds = Math.max(3, Math.round((64 * 1024 * 1024) / size / 8));
  refang(input);
  const start = performance.now();
  for (let round = 0; round < rounds; round++) refang(input);
  const ms = (performance.now() - start) / rounds;
  console.log(
    `${String(size / 1024).padStart(9)} ${ms.toFixed(3).padStart(9)} ${((ms * 1000) / (size / 1024)).toFixed(2).padStart(12)}`,
  );
}
