import { InvalidRequestError, type StixObject } from '@dragnet/lookup';

/** What `GET …/objects/` (and the manifest, object and versions endpoints) were asked for. */
export interface ObjectQuery {
  /** Epoch ms (floored); objects added strictly after `added_after`. */
  addedAfter?: number | undefined;
  limit: number;
  next?: string | undefined;
  ids?: ReadonlySet<string> | undefined;
  types?: ReadonlySet<string> | undefined;
  /** Epoch ms of wanted versions; absent: every version Dragnet holds (it holds the latest only). */
  versions?: ReadonlySet<number> | undefined;
  /** False when `match[spec_version]` names no version Dragnet serves (only 2.1). */
  specVersionServed: boolean;
}

export const DEFAULT_PAGE_OBJECTS = 1_000;
export const MAX_PAGE_OBJECTS = 10_000;
const MAX_MATCH_VALUES = 100;
const STIX_ID = /^[a-z0-9-]{1,250}--[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/;
const STIX_TYPE = /^[a-z0-9-]{1,250}$/;
/** RFC 3339 in UTC, as STIX and TAXII write timestamps. */
const TIMESTAMP = /^(\d{4})-(\d{2})-(\d{2})T(\d{2}):(\d{2}):(\d{2})(?:\.(\d{1,9}))?Z$/;

const invalid = (parameter: string, message: string) =>
  new InvalidRequestError(
    `invalid_${parameter.replace(/\W+/g, '_').replace(/_$/, '')}`,
    `${parameter}: ${message}`,
  );

/** Epoch ms (fraction floored) of a TAXII timestamp, every field range-checked; null when it is none. */
export function parseTimestamp(text: string): number | null {
  const match = TIMESTAMP.exec(text);
  if (!match) return null;
  const [year, month, day, hour, minute, second] = match.slice(1, 7).map(Number) as number[];
  const days = new Date(Date.UTC(year!, month!, 0)).getUTCDate();
  if (year! < 1970 || month! < 1 || month! > 12 || day! < 1 || day! > days) return null;
  if (hour! > 23 || minute! > 59 || second! > 60) return null;
  const millis = Number((match[7] ?? '0').padEnd(3, '0').slice(0, 3));
  return Date.UTC(year!, month! - 1, day!, hour!, minute!, Math.min(second!, 59), millis);
}

function list(url: URL, parameter: string, pattern: RegExp): Set<string> | undefined {
  const values = url.searchParams.getAll(parameter);
  if (values.length === 0) return undefined;
  const items = values.flatMap((value) => value.split(',')).map((item) => item.trim());
  if (items.length > MAX_MATCH_VALUES) throw invalid(parameter, `at most ${MAX_MATCH_VALUES} values`);
  for (const item of items) if (!pattern.test(item)) throw invalid(parameter, 'a value is not well formed');
  return new Set(items);
}

function parseVersions(url: URL): Set<number> | undefined {
  const values = list(url, 'match[version]', /^(first|last|all|\d{4}-.{1,40})$/);
  if (!values) return undefined;
  const times = new Set<number>();
  for (const value of values) {
    // Dragnet holds one version of each object, which is its first, last and every version.
    if (value === 'first' || value === 'last' || value === 'all') return undefined;
    const time = parseTimestamp(value);
    if (time === null) throw invalid('match[version]', 'expected first, last, all or timestamps');
    times.add(time);
  }
  return times;
}

export function parseObjectQuery(url: URL, options: { pageable: boolean }): ObjectQuery {
  const query: ObjectQuery = { limit: DEFAULT_PAGE_OBJECTS, specVersionServed: true };
  const addedAfter = url.searchParams.get('added_after');
  if (addedAfter !== null) {
    const time = parseTimestamp(addedAfter);
    if (time === null) throw invalid('added_after', 'expected an RFC 3339 UTC timestamp');
    query.addedAfter = time;
  }
  if (options.pageable) {
    const limit = url.searchParams.get('limit');
    if (limit !== null) {
      if (!/^\d{1,9}$/.test(limit) || Number(limit) < 1)
        throw invalid('limit', 'expected a positive integer');
      query.limit = Math.min(Number(limit), MAX_PAGE_OBJECTS);
    }
    query.next = url.searchParams.get('next') ?? undefined;
  }
  query.ids = list(url, 'match[id]', STIX_ID);
  query.types = list(url, 'match[type]', STIX_TYPE);
  query.versions = parseVersions(url);
  const specVersions = list(url, 'match[spec_version]', /^\d\.\d$/);
  if (specVersions) query.specVersionServed = specVersions.has('2.1');
  return query;
}

/** The version of an object as TAXII lists it: `modified`, else `created`, else when it was added. */
export function objectVersion(object: StixObject, added: number): string {
  const stamp = object.modified ?? object.created;
  return typeof stamp === 'string' ? stamp : new Date(added).toISOString();
}

/** Whether an object (added at `added`) passes the query's `match[…]` filters. */
export function matchesObject(query: ObjectQuery, object: StixObject, added: number): boolean {
  if (!query.specVersionServed) return false;
  if (query.ids && !query.ids.has(object.id)) return false;
  if (query.types && !query.types.has(object.type)) return false;
  if (query.versions) {
    const version = parseTimestamp(objectVersion(object, added));
    if (version === null || !query.versions.has(version)) return false;
  }
  return true;
}
