import {
  canonicalizeAny,
  INTERNAL_SUFFIXES,
  type IndicatorKind,
  observableId,
  type RejectReason,
} from '@dragnet/indicators';

/** A lookup only reads: internal suffixes any feed may have opted in to (`.onion`…) are looked up too. */
const LOOKUP_OPTIONS = { internalSuffixes: INTERNAL_SUFFIXES } as const;

export type ResolvedObservable =
  | { ok: true; input: string; kind: IndicatorKind; value: string; id: string }
  | { ok: false; input: string; reason: RejectReason | 'not_a_string'; message: string };

/** Longest observable the API accepts; longer input is rejected before any parsing work. */
export const MAX_OBSERVABLE_LENGTH = 8_192;

/**
 * What a caller typed, as Dragnet's deterministic indicator id: refanged,
 * typed by shape and canonicalised by the same code the normaliser runs, so
 * `hxxp://Evil[.]com/` and `http://evil.com/` are one lookup.
 */
export function resolveObservable(input: unknown): ResolvedObservable {
  if (typeof input !== 'string')
    return { ok: false, input: String(input), reason: 'not_a_string', message: 'expected a string' };
  if (input.length > MAX_OBSERVABLE_LENGTH)
    return {
      ok: false,
      input: `${input.slice(0, 64)}…`,
      reason: 'invalid_value',
      message: `longer than ${MAX_OBSERVABLE_LENGTH} characters`,
    };
  const result = canonicalizeAny(input.trim(), LOOKUP_OPTIONS);
  if (!result.ok) return { ok: false, input, reason: result.reason, message: result.message };
  return {
    ok: true,
    input,
    kind: result.kind,
    value: result.value,
    id: observableId(result.kind, result.value),
  };
}
