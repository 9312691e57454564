import type { ApiKey, Authentication } from '@dragnet/api-keys';
import type { LookupResult, ResolvedObservable } from '@dragnet/lookup';

/**
 * Bounds on what one audit record holds, so a request cannot make the trail
 * (or the API's buffer in front of it) grow without limit.
 */
export const AUDIT_LIMITS = {
  /** Observables recorded per request; a bulk lookup takes at most 10,000, so normally all of them. */
  maxObservables: 10_000,
  /** Characters kept of each observable as asked (canonical ids are recorded whole). */
  maxInputCharacters: 256,
  /** Characters kept of `q`; the API refuses longer queries anyway. */
  maxQueryCharacters: 4_096,
} as const;

const TRUNCATED = '…';

/** `matched`: shown to the client; `unknown`: no document; `withheld`: a document the key may not see (answered as unknown). */
export type ObservableOutcome = 'matched' | 'unknown' | 'withheld' | 'invalid';

export interface AuditedObservable {
  /** As asked: a string, or a tag describing a non-string (`[object]`, `42`). */
  input: string;
  /** Canonical id; null when the input is not an observable. */
  id: string | null;
  outcome: ObservableOutcome;
  /** Ids of the indicators shown for it (its own, or networks containing an IP). */
  matched: string[];
  /** The canonical address when it is an IP a bulk lookup also matched against networks. */
  ip?: string;
}

/** What one request was and how it was answered: everything the audit record says. */
export interface AuditEntry {
  requestId: string;
  at: Date;
  route: string;
  status: number;
  errorCode?: string | undefined;
  clientAddress?: string | undefined;
  /** Absent when the request was refused before its key was looked at. */
  authentication?: Authentication | undefined;
  /** Observables in the request (when it was read that far). */
  observableCount?: number | undefined;
  observables?: AuditedObservable[] | undefined;
  query?: string | undefined;
  results?: { total?: number; returned: number } | undefined;
}

const cut = (text: string, max: number) => (text.length <= max ? text : `${text.slice(0, max)}${TRUNCATED}`);

/** Ordered, without repeats. */
const distinct = (values: Iterable<string>) => [...new Set(values)];

/** `::ffff:203.0.113.7` (an IPv4 client on a dual-stack socket) as `203.0.113.7`. */
function clientIp(address: string | undefined): string | undefined {
  if (!address) return undefined;
  return address.startsWith('::ffff:') && address.includes('.') ? address.slice(7) : address;
}

/** The audit document for a request; its fields are those of `AUDIT_MAPPINGS`. */
export function auditDocument(entry: AuditEntry): Record<string, unknown> {
  const authentication = entry.authentication;
  const key: ApiKey | undefined = authentication && 'key' in authentication ? authentication.key : undefined;
  const document: Record<string, unknown> = {
    '@timestamp': entry.at.toISOString(),
    request_id: entry.requestId,
    route: entry.route,
    status: entry.status,
  };
  if (entry.errorCode) document.error_code = entry.errorCode;
  const ip = clientIp(entry.clientAddress);
  if (ip) document.client_address = ip;
  if (authentication) document.key_outcome = authentication.outcome;
  if (key) {
    document.key_id = key.id;
    document.organisation = key.organisation ?? key.id;
    document.max_tlp = key.maxTlp;
  }
  const asked: Record<string, unknown> = {};
  const answered: Record<string, unknown> = {};
  if (entry.observableCount !== undefined) asked.count = entry.observableCount;
  if (entry.observables) {
    const recorded = entry.observables.slice(0, AUDIT_LIMITS.maxObservables);
    asked.inputs = recorded.map((observable) => cut(observable.input, AUDIT_LIMITS.maxInputCharacters));
    asked.ids = distinct(recorded.flatMap((observable) => (observable.id ? [observable.id] : [])));
    asked.truncated = recorded.length < (entry.observableCount ?? entry.observables.length);
    const of = (outcome: ObservableOutcome) =>
      recorded.filter((observable) => observable.outcome === outcome);
    const withIds = (list: AuditedObservable[]) =>
      distinct(list.flatMap((observable) => (observable.id ? [observable.id] : [])));
    const matched = of('matched');
    const unknown = of('unknown');
    const withheld = of('withheld');
    const invalid = of('invalid');
    answered.matched = distinct(matched.flatMap((observable) => observable.matched));
    answered.unknown = withIds(unknown);
    answered.withheld = withIds(withheld);
    answered.invalid = invalid.map((observable) => cut(observable.input, AUDIT_LIMITS.maxInputCharacters));
    answered.matched_count = matched.length;
    answered.unknown_count = unknown.length;
    answered.withheld_count = withheld.length;
    answered.invalid_count = invalid.length;
  }
  if (entry.query !== undefined) asked.query = cut(entry.query, AUDIT_LIMITS.maxQueryCharacters);
  if (entry.results) {
    if (entry.results.total !== undefined) answered.total = entry.results.total;
    answered.returned = entry.results.returned;
  }
  if (Object.keys(asked).length > 0) document.asked = asked;
  if (Object.keys(answered).length > 0) document.answered = answered;
  return document;
}

/**
 * Each observable of a bulk lookup with its outcome as the client saw it
 * (`matched`, `unknown`, `invalid`); `withheld` is decided afterwards, by a
 * look at what exists. `resolved[i]` is input `i` as the lookup resolved it
 * (its `onResolved`), so nothing is canonicalised twice; `result` is its answer.
 */
export function bulkOutcomes(
  resolved: readonly ResolvedObservable[],
  result: LookupResult,
): AuditedObservable[] {
  const shown = new Map<string, string[]>();
  for (const match of result.matches)
    for (const input of match.inputs) {
      const ids = shown.get(input);
      if (ids) ids.push(match.indicator.id);
      else shown.set(input, [match.indicator.id]);
    }
  return resolved.map((observable) => {
    const { input } = observable;
    if (!observable.ok) return { input, id: null, outcome: 'invalid', matched: [] };
    const matched = shown.get(input);
    if (matched) return { input, id: observable.id, outcome: 'matched', matched };
    const ip = observable.kind === 'ipv4' || observable.kind === 'ipv6' ? { ip: observable.value } : {};
    return { input, id: observable.id, outcome: 'unknown', matched: [], ...ip };
  });
}
