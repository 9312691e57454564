import { UsageError } from './command.js';

/** A numeric option: the fallback when absent, a usage error when it is not a finite number. */
export function numberOption(name: string, raw: string | undefined, fallback: number): number {
  if (raw === undefined) return fallback;
  const parsed = Number(raw);
  if (raw.trim() === '' || !Number.isFinite(parsed))
    throw new UsageError(`--${name}: expected a number (got ${JSON.stringify(raw)})`);
  return parsed;
}

/** A `YYYY-MM-DD` option as epoch ms (UTC midnight); impossible dates (2026-02-30) are refused. */
export function dateOption(name: string, raw: string): number {
  const parsed = Date.parse(`${raw}T00:00:00Z`);
  if (
    !/^\d{4}-\d{2}-\d{2}$/.test(raw) ||
    Number.isNaN(parsed) ||
    new Date(parsed).toISOString().slice(0, 10) !== raw
  )
    throw new UsageError(`--${name}: expected YYYY-MM-DD (got ${JSON.stringify(raw)})`);
  return parsed;
}

/** A required string option. */
export function requiredOption(command: string, name: string, raw: string | undefined): string {
  if (raw === undefined || raw === '') throw new UsageError(`${command}: --${name} is required`);
  return raw;
}

/** The `--max-tlp` option through a TLP parser (passed in: the parser lives in a package loaded on demand). */
export function tlpOption<T>(raw: string | undefined, fallback: T, parse: (raw: string) => T | null): T {
  if (raw === undefined) return fallback;
  const tlp = parse(raw);
  if (tlp === null)
    throw new UsageError(
      `--max-tlp: expected clear, green, amber, amber+strict or red (got ${JSON.stringify(raw)})`,
    );
  return tlp;
}
