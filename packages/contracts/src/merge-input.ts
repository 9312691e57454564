/**
 * The contract of the deduplicator's input topic (`TOPICS.mergeInput`): every
 * record that changes an indicator's merge state travels there, keyed by
 * indicator id, so the deduplicator is the single writer of each indicator
 * (one partition, one consumer) and nothing races it (ADR 0002).
 *
 * Each record kind has one entry in `MergeInputRecords` and one codec in
 * `KIND_CODECS`; `encodeMergeInput` is what every producer sends and
 * `decodeMergeInput` is the only reader. Nothing else spells the kind header
 * or parses these payloads. A new kind (sightings) is one entry in each, and
 * the compiler then names every consumer that must handle it.
 *
 * The decoder treats every byte as hostile: sizes are checked before parsing,
 * JSON depth is bounded, foreign keys are only read after `Object.hasOwn`,
 * prototype-shaped keys are refused, numbers and dates are range-checked, and
 * a bad record is a reject with its own code, never a throw.
 */
import {
  decodeReport,
  encodeReport,
  INDICATOR_KINDS,
  type IndicatorReport,
  MAX_EPOCH_MS,
  TLP_LEVELS,
} from '@dragnet/indicators';
import { HEADERS } from './names.js';

/** Asks the deduplicator to rebuild an indicator's document from its merge state (maintenance sweep, re-drive). */
export interface RefreshRecord {
  id: string;
  reason: RefreshReason;
}
export const REFRESH_REASONS = ['expiry', 'rescore', 'reenrich'] as const;
export type RefreshReason = (typeof REFRESH_REASONS)[number];

/** One enrichment result, with the versions of the providers that produced it (enricher). */
export interface EnrichmentRecord {
  id: string;
  versions: Record<string, number>;
  result: Record<string, unknown>;
}

/**
 * Written by the indexer when Elasticsearch refused a change as older than
 * what it holds (409) although the refused document carries content the
 * indexed one lacks: the deduplicator's state was behind (Redis lost writes,
 * a state expired before its last version was indexed, two owners for a
 * while). The deduplicator joins both documents' content into its state and
 * emits a new revision above both, so no statement is lost.
 */
export interface ReconcileRecord {
  id: string;
  /** The indexed document and the refused one (ECS documents as the deduplicator emits them). */
  documents: Record<string, unknown>[];
}

/** What each record kind carries; the key is the kind's value of the `HEADERS.recordKind` header. */
export interface MergeInputRecords {
  /** One partner's statement about one observable (normalizer; Avro, `indicator-report` schema). */
  report: IndicatorReport;
  /** JSON. */
  enrichment: EnrichmentRecord;
  /** JSON. */
  refresh: RefreshRecord;
  /** JSON. */
  reconcile: ReconcileRecord;
}
export type MergeInputKind = keyof MergeInputRecords;
export type MergeInput = { [K in MergeInputKind]: { kind: K; record: MergeInputRecords[K] } }[MergeInputKind];

/** A record ready to produce (add the topic). The key is the indicator id. */
export interface MergeInputMessage {
  key: string;
  value: Buffer;
  headers: Record<string, string>;
}

/** Reason codes of a record the decoder refuses, one per failure kind (dead letters, `dragnet_records_rejected_total`). */
export const MERGE_INPUT_REJECTS = {
  /** No `dragnet-record-type` header. */
  missingKind: 'missing_record_kind',
  /** A `dragnet-record-type` header naming no kind this deduplicator knows. */
  unknownKind: 'unknown_record_kind',
  /** No value, or an empty one. */
  missingValue: 'missing_value',
  /** A value over its kind's `maxBytes`: refused before parsing. */
  tooLarge: 'record_too_large',
  /** The Kafka key is not the record's indicator id (it would land on another deduplicator). */
  keyMismatch: 'key_mismatch',
  /** Report bytes that are not exactly one `indicator-report` Avro record. */
  invalidAvro: 'invalid_avro',
  /** A well-formed report with a field out of range (kind, TLP, date, confidence, id). */
  invalidReport: 'invalid_report',
  invalidEnrichment: 'invalid_enrichment_record',
  invalidRefresh: 'invalid_refresh_record',
  invalidReconcile: 'invalid_reconcile_record',
} as const;
export type MergeInputRejectCode = (typeof MERGE_INPUT_REJECTS)[keyof typeof MERGE_INPUT_REJECTS];

export interface MergeInputReject {
  code: MergeInputRejectCode;
  /** Names what was wrong; never quotes more than a few characters of the record. */
  message: string;
}

export type DecodedMergeInput =
  | { ok: true; input: MergeInput; correlationId: string | null }
  | { ok: false; reject: MergeInputReject; correlationId: string | null };

/** Bounds of the decoder. Kafka's default `max.message.bytes` (1 MiB) bounds every kind anyway. */
export const MERGE_INPUT_LIMITS = {
  /** The normalizer's largest report (64 tags and threat names, a 4 KiB description, an 8 KiB value) is under 64 KiB. */
  maxReportBytes: 256 * 1024,
  maxEnrichmentBytes: 256 * 1024,
  maxRefreshBytes: 4 * 1024,
  /** Two full documents of a much-reported indicator. */
  maxReconcileBytes: 1024 * 1024,
  /** JSON nesting; Dragnet's documents are 6 deep. */
  maxJsonDepth: 32,
  maxReconcileDocuments: 4,
  maxProviderVersions: 64,
  maxIdLength: 256,
  maxCorrelationIdLength: 128,
} as const;

/** A deterministic STIX-style id, `<type>--<suffix>` (`ipv4-addr--…`). */
const INDICATOR_ID = /^[a-z][a-z0-9-]{0,63}--[0-9a-z-]{1,128}$/;
/** Provider names in `versions` (`ip`, `warninglists`, `epoch`, …). */
const PROVIDER_NAME = /^[a-z][a-z0-9_-]{0,63}$/;
const CORRELATION_ID = new RegExp(`^[A-Za-z0-9._:-]{1,${MERGE_INPUT_LIMITS.maxCorrelationIdLength}}$`);
/** Keys a JSON payload may not use anywhere: no producer writes them, and code that copies objects could pollute prototypes. */
const FORBIDDEN_KEYS = new Set(['__proto__', 'constructor', 'prototype']);

/** Whether a correlation id is safe to carry in headers and logs (a partner may send anything). */
export const isCorrelationId = (value: unknown): value is string =>
  typeof value === 'string' && CORRELATION_ID.test(value);

const isIndicatorId = (value: unknown): value is string =>
  typeof value === 'string' && value.length <= MERGE_INPUT_LIMITS.maxIdLength && INDICATOR_ID.test(value);

type Checked<T> = { ok: true; value: T } | { ok: false; code: MergeInputRejectCode; message: string };
const valid = <T>(value: T): Checked<T> => ({ ok: true, value });
const invalid = <T>(code: MergeInputRejectCode, message: string): Checked<T> => ({
  ok: false,
  code,
  message,
});

interface KindCodec<R> {
  maxBytes: number;
  encode(record: R): Buffer;
  decode(value: Buffer): Checked<R>;
}

/** A JSON kind: bounded parse (`withJson`), then its own shape check; `code` is its reject code. */
const jsonCodec = <R extends object>(
  maxBytes: number,
  code: MergeInputRejectCode,
  check: (json: Record<string, unknown>, code: MergeInputRejectCode) => Checked<R>,
): KindCodec<R> => ({
  maxBytes,
  encode: (record) => Buffer.from(JSON.stringify(record)),
  decode: (value) => withJson(value, code, (json) => check(json, code)),
});

const KIND_CODECS: { [K in MergeInputKind]: KindCodec<MergeInputRecords[K]> } = {
  report: { maxBytes: MERGE_INPUT_LIMITS.maxReportBytes, encode: encodeReport, decode: decodeReportValue },
  enrichment: jsonCodec(
    MERGE_INPUT_LIMITS.maxEnrichmentBytes,
    MERGE_INPUT_REJECTS.invalidEnrichment,
    checkEnrichment,
  ),
  refresh: jsonCodec(MERGE_INPUT_LIMITS.maxRefreshBytes, MERGE_INPUT_REJECTS.invalidRefresh, checkRefresh),
  reconcile: jsonCodec(
    MERGE_INPUT_LIMITS.maxReconcileBytes,
    MERGE_INPUT_REJECTS.invalidReconcile,
    checkReconcile,
  ),
};

export const MERGE_INPUT_KINDS = Object.keys(KIND_CODECS) as MergeInputKind[];

/**
 * The one encoder of the topic: the record's id is the key, its kind the
 * `HEADERS.recordKind` header, and the correlation id (of the report it
 * derives from, when there is one) the `HEADERS.correlationId` header.
 * Throws on a correlation id `isCorrelationId` refuses: producers check ids
 * they did not make (a partner's header) and make a new one instead.
 */
export function encodeMergeInput(input: MergeInput, correlationId: string | null = null): MergeInputMessage {
  if (correlationId !== null && !isCorrelationId(correlationId))
    throw new TypeError('not a correlation id: check it with isCorrelationId first');
  const codec = KIND_CODECS[input.kind] as KindCodec<MergeInput['record']>;
  return {
    key: input.record.id,
    value: codec.encode(input.record),
    headers: {
      [HEADERS.recordKind]: input.kind,
      ...(correlationId === null ? {} : { [HEADERS.correlationId]: correlationId }),
    },
  };
}

/** What the decoder reads of a consumed record (kafkajs gives headers as a plain object). */
export interface MergeInputSource {
  key: Buffer | string | null;
  value: Buffer | null;
  headers: Readonly<Record<string, string>>;
}

/** The one decoder of the topic: a typed record, or a reject with its code. Never throws. */
export function decodeMergeInput(message: MergeInputSource): DecodedMergeInput {
  const given = ownHeader(message.headers, HEADERS.correlationId);
  // A malformed correlation id is only a tracing aid lost, not a reason to refuse the record.
  const correlationId = isCorrelationId(given) ? given : null;
  const reject = (code: MergeInputRejectCode, text: string): DecodedMergeInput => ({
    ok: false,
    reject: { code, message: text },
    correlationId,
  });
  const kind = ownHeader(message.headers, HEADERS.recordKind);
  if (kind === undefined) return reject(MERGE_INPUT_REJECTS.missingKind, `no ${HEADERS.recordKind} header`);
  if (!isKind(kind))
    return reject(
      MERGE_INPUT_REJECTS.unknownKind,
      `unknown record kind ${JSON.stringify(kind.slice(0, 64))}`,
    );
  if (!message.value || message.value.length === 0)
    return reject(MERGE_INPUT_REJECTS.missingValue, `${kind} record has no value`);
  const codec = KIND_CODECS[kind] as KindCodec<MergeInput['record']>;
  if (message.value.length > codec.maxBytes)
    return reject(
      MERGE_INPUT_REJECTS.tooLarge,
      `${kind} record of ${message.value.length} bytes (at most ${codec.maxBytes})`,
    );
  const decoded = codec.decode(message.value);
  if (!decoded.ok) return reject(decoded.code, decoded.message);
  const key = message.key === null ? null : message.key.toString();
  if (key !== decoded.value.id)
    return reject(
      MERGE_INPUT_REJECTS.keyMismatch,
      key === null ? `${kind} record has no key` : `${kind} record's key is not its id`,
    );
  return { ok: true, input: { kind, record: decoded.value } as MergeInput, correlationId };
}

const isKind = (value: string): value is MergeInputKind => Object.hasOwn(KIND_CODECS, value);

function ownHeader(headers: Readonly<Record<string, string>>, name: string): string | undefined {
  if (!Object.hasOwn(headers, name)) return undefined;
  const value = headers[name];
  return typeof value === 'string' ? value : undefined;
}

function decodeReportValue(value: Buffer): Checked<IndicatorReport> {
  let report: IndicatorReport;
  try {
    report = decodeReport(value);
  } catch (error) {
    return invalid(MERGE_INPUT_REJECTS.invalidAvro, `not one indicator report: ${(error as Error).message}`);
  }
  const problem = reportProblem(report);
  return problem === null ? valid(report) : invalid(MERGE_INPUT_REJECTS.invalidReport, problem);
}

const isEpochMs = (value: number): boolean =>
  Number.isSafeInteger(value) && value >= 0 && value <= MAX_EPOCH_MS;
const KINDS = new Set<string>(INDICATOR_KINDS);
const TLPS = new Set<string>(TLP_LEVELS);

/** What the normalizer guarantees of a report and the deduplicator relies on; null when all holds. */
function reportProblem(report: IndicatorReport): string | null {
  if (!isIndicatorId(report.id)) return 'id is not an indicator id';
  if (!KINDS.has(report.kind)) return `unknown indicator kind ${JSON.stringify(report.kind.slice(0, 32))}`;
  if (report.value.length === 0) return 'empty value';
  if (report.provider.length === 0) return 'empty provider';
  if (!isEpochMs(report.firstSeen) || !isEpochMs(report.lastSeen)) return 'first or last seen out of range';
  if (report.validUntil !== null && !isEpochMs(report.validUntil)) return 'valid until out of range';
  if (
    report.confidence !== null &&
    !(Number.isInteger(report.confidence) && report.confidence >= 0 && report.confidence <= 100)
  )
    return 'confidence is not an integer 0–100';
  if (report.tlp !== null && !TLPS.has(report.tlp)) return 'not a TLP level';
  return null;
}

const UTF8 = new TextDecoder('utf-8', { fatal: true });

/** UTF-8 and JSON within `maxJsonDepth`, without prototype-shaped keys, then the kind's own check. */
function withJson<R>(
  value: Buffer,
  code: MergeInputRejectCode,
  check: (json: Record<string, unknown>) => Checked<R>,
): Checked<R> {
  let json: unknown;
  try {
    json = JSON.parse(UTF8.decode(value));
  } catch (error) {
    return invalid(code, `not UTF-8 JSON: ${(error as Error).message.slice(0, 120)}`);
  }
  const problem = jsonTreeProblem(json, MERGE_INPUT_LIMITS.maxJsonDepth);
  if (problem !== null) return invalid(code, problem);
  if (!isPlainObject(json)) return invalid(code, 'not a JSON object');
  return check(json);
}

/** Walks a parsed JSON tree without recursion, checking depth and keys: linear in its size. */
function jsonTreeProblem(root: unknown, maxDepth: number): string | null {
  const pending: { node: unknown; depth: number }[] = [{ node: root, depth: 1 }];
  for (let next = pending.pop(); next !== undefined; next = pending.pop()) {
    const { node, depth } = next;
    if (node === null || typeof node !== 'object') continue;
    if (depth > maxDepth) return `nested deeper than ${maxDepth}`;
    if (Array.isArray(node)) {
      for (const child of node) pending.push({ node: child, depth: depth + 1 });
      continue;
    }
    for (const [key, child] of Object.entries(node)) {
      if (FORBIDDEN_KEYS.has(key)) return `forbidden key ${key}`;
      pending.push({ node: child, depth: depth + 1 });
    }
  }
  return null;
}

const isPlainObject = (value: unknown): value is Record<string, unknown> =>
  typeof value === 'object' && value !== null && !Array.isArray(value);

/** A field of a parsed JSON object, read only when it is the object's own. */
const field = (json: Record<string, unknown>, name: string): unknown =>
  Object.hasOwn(json, name) ? json[name] : undefined;

function checkRefresh(json: Record<string, unknown>, code: MergeInputRejectCode): Checked<RefreshRecord> {
  const id = field(json, 'id');
  const reason = field(json, 'reason');
  if (!isIndicatorId(id)) return invalid(code, 'id is not an indicator id');
  if (!REFRESH_REASONS.some((known) => known === reason))
    return invalid(code, `reason is not one of ${REFRESH_REASONS.join(', ')}`);
  return valid({ id, reason: reason as RefreshReason });
}

function checkEnrichment(
  json: Record<string, unknown>,
  code: MergeInputRejectCode,
): Checked<EnrichmentRecord> {
  const id = field(json, 'id');
  const versions = field(json, 'versions');
  const result = field(json, 'result');
  if (!isIndicatorId(id)) return invalid(code, 'id is not an indicator id');
  if (!isPlainObject(versions)) return invalid(code, 'versions is not an object');
  const names = Object.keys(versions);
  if (names.length > MERGE_INPUT_LIMITS.maxProviderVersions)
    return invalid(code, `more than ${MERGE_INPUT_LIMITS.maxProviderVersions} provider versions`);
  const checked: Record<string, number> = {};
  for (const name of names) {
    const version = versions[name];
    if (!PROVIDER_NAME.test(name)) return invalid(code, 'a provider name is not one');
    if (typeof version !== 'number' || !Number.isSafeInteger(version) || version < 0)
      return invalid(code, `version of ${name} is not a non-negative integer`);
    checked[name] = version;
  }
  if (!isPlainObject(result)) return invalid(code, 'result is not an object');
  return valid({ id, versions: checked, result });
}

function checkReconcile(json: Record<string, unknown>, code: MergeInputRejectCode): Checked<ReconcileRecord> {
  const id = field(json, 'id');
  const documents = field(json, 'documents');
  if (!isIndicatorId(id)) return invalid(code, 'id is not an indicator id');
  if (!Array.isArray(documents) || documents.length === 0)
    return invalid(code, 'documents is not a non-empty array');
  if (documents.length > MERGE_INPUT_LIMITS.maxReconcileDocuments)
    return invalid(code, `more than ${MERGE_INPUT_LIMITS.maxReconcileDocuments} documents`);
  if (!documents.every(isPlainObject)) return invalid(code, 'a document is not an object');
  return valid({ id, documents });
}
