import { InvalidRequestError, type LookupResult, MAX_LOOKUP_OBSERVABLES } from '@dragnet/lookup';
import { ECHOED_INPUT_CHARACTERS, MAX_BODY_NESTING, MAX_OBSERVABLE_CHARACTERS } from './limits.js';

type InvalidEntry = LookupResult['invalid'][number];

/** A `POST /v1/lookup` body, checked: what goes on to the lookup and what the API refused itself. */
export interface LookupRequest {
  /** Observables given in the request, refused ones included (what the rate limit charges for). */
  count: number;
  /** Strings short enough to resolve, in request order. */
  observables: string[];
  /** `positions[i]` is the index in the request of `observables[i]`. */
  positions: number[];
  /** Non-strings and over-long strings, by request index; never handed to the canonicaliser. */
  refused: InvalidEntry[];
}

/**
 * Parses `{"observables": [...]}` without trusting it: nesting is bounded
 * before `JSON.parse` runs (deep nesting is slow to parse), the key is read
 * only as an own property (`{"__proto__": …}`, `{"toString": …}` are plain
 * data), and elements are only inspected with `typeof`, so nothing a client
 * sent is ever called or converted through its prototype.
 */
export function parseLookupBody(text: string): LookupRequest {
  if (nestingDepth(text, MAX_BODY_NESTING) > MAX_BODY_NESTING)
    throw new InvalidRequestError(
      'invalid_body',
      `request body nested deeper than ${MAX_BODY_NESTING} levels`,
    );
  let body: unknown;
  try {
    body = JSON.parse(text);
  } catch (caught) {
    throw new InvalidRequestError('malformed_json', `request body is not JSON: ${(caught as Error).message}`);
  }
  const observables =
    typeof body === 'object' && body !== null && !Array.isArray(body) && Object.hasOwn(body, 'observables')
      ? (body as { observables: unknown }).observables
      : undefined;
  if (!Array.isArray(observables))
    throw new InvalidRequestError('invalid_body', 'expected {"observables": ["…", …]}');
  if (observables.length > MAX_LOOKUP_OBSERVABLES)
    throw new InvalidRequestError(
      'too_many_observables',
      `at most ${MAX_LOOKUP_OBSERVABLES} observables per lookup (got ${observables.length})`,
      413,
    );
  const request: LookupRequest = { count: observables.length, observables: [], positions: [], refused: [] };
  observables.forEach((value: unknown, index) => {
    const refusal = refuseObservable(value);
    if (refusal) request.refused.push({ index, ...refusal });
    else {
      request.observables.push(value as string);
      request.positions.push(index);
    }
  });
  return request;
}

/** Why the API refuses this observable before any normalisation, or null when it may be resolved. */
export function refuseObservable(value: unknown): Omit<InvalidEntry, 'index'> | null {
  if (typeof value !== 'string')
    return { input: describeNonString(value), reason: 'not_a_string', message: 'expected a string' };
  if (value.length > MAX_OBSERVABLE_CHARACTERS)
    return {
      input: `${value.slice(0, ECHOED_INPUT_CHARACTERS)}…`,
      reason: 'too_long',
      message: `longer than ${MAX_OBSERVABLE_CHARACTERS} characters`,
    };
  return null;
}

/**
 * The lookup's answer for the whole request: indices of its `invalid`
 * entries point back into the request, merged in order with what the API
 * refused itself.
 */
export function completeLookupResult(request: LookupRequest, result: LookupResult): LookupResult {
  const resolved = result.invalid.map((entry) => ({ ...entry, index: request.positions[entry.index] ?? -1 }));
  const invalid: InvalidEntry[] = [];
  let a = 0;
  let b = 0;
  while (a < request.refused.length || b < resolved.length) {
    const refused = request.refused[a];
    const other = resolved[b];
    if (refused && (!other || refused.index < other.index)) {
      invalid.push(refused);
      a++;
    } else if (other) {
      invalid.push(other);
      b++;
    }
  }
  return { ...result, invalid };
}

/** `String()` of a JSON primitive; a fixed tag for objects and arrays (never their own `toString`). */
function describeNonString(value: unknown): string {
  if (value === null || typeof value !== 'object') return String(value);
  return Array.isArray(value) ? '[array]' : '[object]';
}

/**
 * Deepest `[`/`{` nesting outside strings (or the first depth over `stopAbove`);
 * one pass, no allocation. Malformed input is left to JSON.parse.
 */
export function nestingDepth(text: string, stopAbove = Number.POSITIVE_INFINITY): number {
  let depth = 0;
  let deepest = 0;
  let inString = false;
  for (let i = 0; i < text.length; i++) {
    const code = text.charCodeAt(i);
    if (inString) {
      if (code === 0x5c /* \ */) i++;
      else if (code === 0x22 /* " */) inString = false;
    } else if (code === 0x22) inString = true;
    else if (code === 0x5b /* [ */ || code === 0x7b /* { */) {
      depth++;
      if (depth > deepest) deepest = depth;
      if (deepest > stopAbove) return deepest;
    } else if (code === 0x5d /* ] */ || code === 0x7d /* } */) depth--;
  }
  return deepest;
}
