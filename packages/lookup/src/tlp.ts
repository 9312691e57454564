import { TLP_LEVELS, type Tlp } from '@dragnet/indicators';

/** Every TLP level a reader cleared up to `max` may see, least restrictive first. */
export function tlpsUpTo(max: Tlp): Tlp[] {
  return TLP_LEVELS.slice(0, TLP_LEVELS.indexOf(max) + 1);
}

/** Whether a document marked `tlp` may be shown to a reader cleared up to `max`; unknown markings never are. */
export function tlpVisible(tlp: unknown, max: Tlp): boolean {
  const rank = TLP_LEVELS.indexOf(tlp as Tlp);
  return rank !== -1 && rank <= TLP_LEVELS.indexOf(max);
}

export function parseTlpLevel(raw: string): Tlp | null {
  const normalized = raw.trim().toLowerCase().replace(/^tlp:/, '');
  const level = normalized === 'white' ? 'clear' : normalized;
  return (TLP_LEVELS as readonly string[]).includes(level) ? (level as Tlp) : null;
}
