import { type Canonical, canonicalize, canonicalizeAny } from '../canonicalize.js';
import type { CanonicalOptions } from '../domain.js';
import { MAX_JSON_DEPTH, MAX_REJECT_LOCATION_LENGTH, MAX_REJECT_MESSAGE_LENGTH } from '../limits.js';
import type {
  IndicatorKind,
  IndicatorReport,
  ParseResult,
  Provenance,
  Reject,
  RejectReason,
  Tlp,
} from '../model.js';
import { observableId } from '../stix-id.js';
import { schemelessUrlHost, URL_SCHEME_ASSUMED_TAG } from '../url.js';
import { boundFields } from './field-bounds.js';
import { parseLenientJson } from './lenient-json.js';
import { TLP_RANK } from './tlp.js';

export { parseDate } from './dates.js';

/** Where a Kafka message came from and the partner defaults that apply to it. */
export interface ParseContext {
  /** Partner id → `threat.indicator.provider`. */
  provider: string;
  /** Registry feed name → `threat.feed.name` (a partner batch may override it per record). */
  feedName: string;
  /** TLP of records that carry none. */
  defaultTlp: Tlp;
  topic: string;
  partition: number;
  offset: string;
  /** Broker timestamp of the message, epoch ms: the sighting time of undated records. */
  receivedAt: number;
  /** The feed's canonicalisation settings (internal suffixes, minimum network prefixes); defaults when absent. */
  canonicalOptions?: CanonicalOptions;
}

/** What a parser knows about a record besides its value; absent fields take the defaults. */
export interface ReportMeta {
  firstSeen?: number | null;
  lastSeen?: number | null;
  confidence?: number | null;
  tlp?: Tlp | null;
  tags?: string[];
  threatNames?: string[];
  description?: string | null;
  reference?: string | null;
  validUntil?: number | null;
  recordId?: string | null;
  feedName?: string | null;
  /**
   * Date fields the partner sent unreadable or outside 1970–9999: the value
   * is rejected (one `invalid_date` reject each), the record is kept and dated
   * by what remains (an undated record is dated by its message's arrival).
   */
  invalidDates?: string[];
  /**
   * Markings the partner sent that are no TLP level Dragnet knows (`tlp:amber-ish`): one
   * `unknown_marking` warning each, kept as tags, and the record is never read as less
   * restrictive than AMBER because of them.
   */
  unknownMarkings?: string[];
}

/** A parsed date for `ReportMeta`: an unreadable one becomes null and its field is noted in `invalid`. */
export function dateOrNoted(
  parsed: number | null | 'invalid',
  field: string,
  invalid: string[],
): number | null {
  if (parsed !== 'invalid') return parsed;
  invalid.push(field);
  return null;
}

const NO_MARKINGS: string[] = [];
const MAX_VALUE_IN_REJECT = 200;
const clipTo = (value: string, max: number): string =>
  value.length > max ? `${value.slice(0, max)}…` : value;
export const clip = (value: string | null): string | null =>
  value === null ? null : clipTo(value, MAX_VALUE_IN_REJECT);

/** Collects the indicators and rejects of one message; every record ends in at least one of the two. */
export class ResultBuilder implements ParseResult {
  readonly indicators: IndicatorReport[] = [];
  readonly rejects: Reject[] = [];

  /** One provenance object for all records without their own id: 10,000 fewer objects per big message. */
  private readonly sharedProvenance: Provenance;

  constructor(private readonly context: ParseContext) {
    this.sharedProvenance = {
      topic: context.topic,
      partition: context.partition,
      offset: context.offset,
      recordId: null,
    };
  }

  /** Messages and locations quote partner text (types, ids, pattern parts): all three are clipped. */
  reject(reason: RejectReason, message: string, value: string | null, location: string): void {
    this.rejects.push({
      reason,
      message: clipTo(message, MAX_REJECT_MESSAGE_LENGTH),
      value: clip(value),
      location: clipTo(location, MAX_REJECT_LOCATION_LENGTH),
    });
  }

  /**
   * Canonicalises `raw` as `kind` (detects the kind when null) and adds the
   * report, or records the reject. A URL written without its scheme is kept
   * with `http://` assumed (tagged URL_SCHEME_ASSUMED_TAG) and its host is
   * kept as a domain / IP indicator too, even when the URL itself is invalid.
   */
  add(kind: IndicatorKind | null, raw: string, meta: ReportMeta, location: string): void {
    const options = this.context.canonicalOptions;
    let resolvedKind: IndicatorKind;
    let canonical: Canonical;
    if (kind === null) {
      const detected = canonicalizeAny(raw, options);
      if (!detected.ok) return this.reject(detected.reason, detected.message, raw, location);
      resolvedKind = detected.kind;
      canonical = detected;
    } else {
      canonical = canonicalize(kind, raw, options);
      if (!canonical.ok) {
        if (kind === 'url') this.addSchemelessHost(raw, meta, location, true);
        return this.reject(canonical.reason, canonical.message, raw, location);
      }
      resolvedKind = kind;
    }
    if (canonical.schemeAssumed) {
      this.addSchemelessHost(raw, meta, location, false);
      const tags = [URL_SCHEME_ASSUMED_TAG, ...(meta.tags ?? [])];
      return this.push(resolvedKind, canonical.value, { ...meta, tags }, raw, location, true);
    }
    this.push(resolvedKind, canonical.value, meta, raw, location, true);
  }

  /** The host of a scheme-less `url` value as its own indicator; its field warnings only when the URL has none. */
  private addSchemelessHost(raw: string, meta: ReportMeta, location: string, warn: boolean): void {
    const host = schemelessUrlHost(raw, this.context.canonicalOptions);
    if (host) this.push(host.kind, host.value, meta, raw, `${location} host`, warn);
  }

  private push(
    kind: IndicatorKind,
    value: string,
    meta: ReportMeta,
    raw: string,
    location: string,
    warn: boolean,
  ): void {
    const { context } = this;
    const unknownMarkings = meta.unknownMarkings;
    const marked = unknownMarkings !== undefined && unknownMarkings.length > 0;
    const fields = boundFields(marked ? { ...meta, tags: [...(meta.tags ?? []), ...unknownMarkings] } : meta);
    if (warn) this.warnAbout(fields.problems, meta, marked ? unknownMarkings : NO_MARKINGS, raw, location);
    // An undated record was seen when the message arrived; a lone last_seen also dates the first sighting.
    const firstSeen = meta.firstSeen ?? meta.lastSeen ?? context.receivedAt;
    const lastSeen = Math.max(meta.lastSeen ?? firstSeen, firstSeen);
    let tlp = meta.tlp ?? context.defaultTlp;
    if (marked && TLP_RANK[tlp] < TLP_RANK.amber) tlp = 'amber';
    this.indicators.push({
      id: observableId(kind, value),
      kind,
      value,
      provider: context.provider,
      feedName: fields.feedName ?? context.feedName,
      firstSeen,
      lastSeen,
      confidence: meta.confidence ?? null,
      tlp,
      tags: fields.tags,
      threatNames: fields.threatNames,
      description: fields.description,
      reference: fields.reference,
      validUntil: meta.validUntil ?? null,
      provenance: fields.recordId
        ? {
            topic: context.topic,
            partition: context.partition,
            offset: context.offset,
            recordId: fields.recordId,
          }
        : this.sharedProvenance,
    });
  }

  /** The record-level warnings of a kept record: bounded fields, unreadable dates, unknown markings. */
  private warnAbout(
    problems: ReturnType<typeof boundFields>['problems'],
    meta: ReportMeta,
    unknownMarkings: string[],
    raw: string,
    location: string,
  ): void {
    for (const problem of problems)
      this.reject(problem.reason, problem.message, raw, `${location} ${problem.field}`);
    for (const field of meta.invalidDates ?? [])
      this.reject(
        'invalid_date',
        `unreadable or out-of-range date in ${field} (years 1970–9999): the value is ignored, the record kept`,
        raw,
        `${location} ${field}`,
      );
    for (const marking of unknownMarkings)
      this.reject(
        'unknown_marking',
        `unknown marking ${JSON.stringify(marking.slice(0, 100))}: kept as a tag, the record kept at TLP:AMBER or above`,
        raw,
        `${location} marking`,
      );
  }
}

export { classifyMarking, isMarkingTag, mostRestrictive, parseTlp, TLP_RANK } from './tlp.js';

/** 0–100 integer; null when absent; 'invalid' otherwise (objects are never converted: `{"valueOf": 1}` would throw). */
export function validConfidence(value: unknown): number | null | 'invalid' {
  if (value === null || value === undefined || value === '') return null;
  if (typeof value !== 'number' && typeof value !== 'string') return 'invalid';
  const number = typeof value === 'number' ? value : Number(value);
  return Number.isInteger(number) && number >= 0 && number <= 100 ? number : 'invalid';
}

/** Buffers and plain Uint8Arrays alike, without copying. */
export function asBuffer(bytes: Buffer | Uint8Array): Buffer {
  return Buffer.isBuffer(bytes) ? bytes : Buffer.from(bytes.buffer, bytes.byteOffset, bytes.byteLength);
}

/** Strict UTF-8 decoding: a partner sending Latin-1 gets a reject, not mojibake in the index. */
const UTF8 = new TextDecoder('utf-8', { fatal: true, ignoreBOM: false });
export function decodeUtf8(bytes: Buffer | Uint8Array): string | null {
  try {
    return UTF8.decode(bytes);
  } catch {
    return null;
  }
}

/**
 * Whether JSON `text` nests arrays and objects deeper than `max`: one scan
 * that skips strings. The parsers walk documents recursively, so depth is
 * checked before `JSON.parse` builds a million-deep value for them.
 */
export function jsonDeeperThan(text: string, max: number): boolean {
  let depth = 0;
  for (let index = 0; index < text.length; index++) {
    const code = text.charCodeAt(index);
    if (code === 34 /* " */) {
      // Skip the string: a backslash escapes the next character.
      for (index++; index < text.length; index++) {
        const inner = text.charCodeAt(index);
        if (inner === 92) index++;
        else if (inner === 34) break;
      }
    } else if (code === 91 /* [ */ || code === 123 /* { */) {
      if (++depth > max) return true;
    } else if (code === 93 /* ] */ || code === 125 /* } */) {
      depth--;
    }
  }
  return false;
}

/** JSON text of a message, or the whole-message reject explaining why there is none. */
export function parseJsonMessage(bytes: Buffer | Uint8Array, result: ResultBuilder): unknown {
  const text = decodeUtf8(bytes);
  if (text === null) {
    result.reject('invalid_encoding', 'message is not valid UTF-8', null, 'message');
    return undefined;
  }
  if (jsonDeeperThan(text, MAX_JSON_DEPTH)) {
    result.reject('too_deep', `JSON nested deeper than ${MAX_JSON_DEPTH} levels`, null, 'message');
    return undefined;
  }
  try {
    return JSON.parse(text);
  } catch (error) {
    // Almost-JSON (a trailing comma, a stray BOM, NaN) would lose every record: read it leniently and say so.
    const lenient = parseLenientJson(text);
    if (!lenient.ok) {
      result.reject('invalid_json', `not JSON: ${(error as Error).message}`, null, 'message');
      return undefined;
    }
    result.reject(
      'lenient_json',
      `not strict JSON (${(error as Error).message}); read leniently after ${lenient.repairs.join(', ')}: records kept, please send strict JSON`,
      null,
      'message',
    );
    return lenient.value;
  }
}

export const asString = (value: unknown): string | null => (typeof value === 'string' ? value : null);
/**
 * A partner scalar as text for comparisons and messages; '' for objects and
 * arrays. Never `String(value)`: a JSON object with a `toString` key that is
 * not a function makes `String()` and template literals throw.
 */
export const asText = (value: unknown): string =>
  typeof value === 'string'
    ? value
    : typeof value === 'number' || typeof value === 'boolean'
      ? String(value)
      : '';
/** Own properties only: a partner key such as `constructor` never reaches Object.prototype. */
export const ownValue = <T>(record: Readonly<Record<string, T>>, key: string): T | undefined =>
  Object.hasOwn(record, key) ? record[key] : undefined;
/** The plain objects of a JSON array (null, numbers, strings and nested arrays left out). */
export const asObjects = (value: unknown): Record<string, unknown>[] =>
  Array.isArray(value)
    ? value.filter(
        (item): item is Record<string, unknown> => !!item && typeof item === 'object' && !Array.isArray(item),
      )
    : [];
export const asStrings = (value: unknown): string[] =>
  Array.isArray(value) ? value.filter((item): item is string => typeof item === 'string') : [];
