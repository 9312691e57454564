import { canonicalize, canonicalizeAny } from '../canonicalize.js';
import type { IndicatorKind, IndicatorReport, ParseResult, Reject, RejectReason, Tlp } from '../model.js';
import { TLP_LEVELS } from '../model.js';
import { indicatorId } from '../stix-id.js';

/** Where a Kafka message came from and the partner defaults that apply to it. */
export interface ParseContext {
  provider: string;
  feedName: string;
  defaultTlp: Tlp;
  topic: string;
  partition: number;
  offset: string;
  /** Broker timestamp of the message, epoch ms: the sighting time of undated records. */
  receivedAt: number;
}

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
}

const MAX_VALUE_IN_REJECT = 200;
const clip = (value: string | null) =>
  value === null
    ? null
    : value.length > MAX_VALUE_IN_REJECT
      ? `${value.slice(0, MAX_VALUE_IN_REJECT)}…`
      : value;

/** Collects indicators and rejects of one message; every input ends in exactly one of the two. */
export class ResultBuilder implements ParseResult {
  readonly indicators: IndicatorReport[] = [];
  readonly rejects: Reject[] = [];

  constructor(private readonly context: ParseContext) {}

  reject(reason: RejectReason, message: string, value: string | null, location: string): void {
    this.rejects.push({ reason, message, value: clip(value), location });
  }

  /** Canonicalises `raw` as `kind` (or detects the kind when null) and adds the report, or records the reject. */
  add(kind: IndicatorKind | null, raw: string, meta: ReportMeta, location: string): void {
    const canonical = kind === null ? canonicalizeAny(raw) : { ...canonicalize(kind, raw), kind };
    if (!canonical.ok) {
      this.reject(canonical.reason, canonical.message, raw, location);
      return;
    }
    const resolvedKind = canonical.kind;
    const { context } = this;
    const firstSeen = meta.firstSeen ?? meta.lastSeen ?? context.receivedAt;
    const lastSeen = Math.max(meta.lastSeen ?? firstSeen, firstSeen);
    this.indicators.push({
      id: indicatorId({ kind: resolvedKind, value: canonical.value }),
      kind: resolvedKind,
      value: canonical.value,
      provider: context.provider,
      feedName: meta.feedName ?? context.feedName,
      firstSeen,
      lastSeen,
      confidence: meta.confidence ?? null,
      tlp: meta.tlp ?? context.defaultTlp,
      tags: meta.tags ?? [],
      threatNames: meta.threatNames ?? [],
      description: meta.description ?? null,
      reference: meta.reference ?? null,
      validUntil: meta.validUntil ?? null,
      provenance: {
        topic: context.topic,
        partition: context.partition,
        offset: context.offset,
        recordId: meta.recordId ?? null,
      },
    });
  }
}

/**
 * Dates partners send: ISO 8601, `YYYY-MM-DD`, `YYYY-MM-DD HH:MM:SS` (UTC),
 * epoch seconds (MISP) or milliseconds. Empty → null; unreadable → 'invalid'.
 */
export function parseDate(value: unknown): number | null | 'invalid' {
  if (value === null || value === undefined || value === '') return null;
  if (typeof value === 'number')
    return Number.isFinite(value) ? (value < 1e11 ? value * 1000 : value) : 'invalid';
  if (typeof value !== 'string') return 'invalid';
  const text = value.trim();
  if (/^\d{9,13}$/.test(text)) {
    const number = Number(text);
    return text.length <= 10 ? number * 1000 : number;
  }
  const normalised = /^\d{4}-\d{2}-\d{2} \d{2}:\d{2}(:\d{2}(\.\d+)?)?$/.test(text)
    ? `${text.replace(' ', 'T')}Z`
    : text;
  const parsed = /^\d{4}-\d{2}-\d{2}$/.test(normalised)
    ? Date.parse(`${normalised}T00:00:00Z`)
    : Date.parse(normalised);
  return Number.isNaN(parsed) ? 'invalid' : parsed;
}

export function parseTlp(value: string): Tlp | null {
  const lower = value.trim().toLowerCase().replace(/^tlp:/, '');
  const name = lower === 'white' ? 'clear' : lower;
  return (TLP_LEVELS as readonly string[]).includes(name) ? (name as Tlp) : null;
}

/**
 * Type names as partners write them (Dragnet's, MISP's, STIX's, common
 * blocklist headers) → kind. Unknown names are `unsupported_type` rejects.
 */
export const KIND_BY_TYPE_NAME: Record<string, IndicatorKind> = {
  ipv4: 'ipv4',
  ip: 'ipv4',
  'ip-src': 'ipv4',
  'ip-dst': 'ipv4',
  'ipv4-addr': 'ipv4',
  ipv6: 'ipv6',
  'ipv6-addr': 'ipv6',
  cidr: 'cidr',
  'ip-range': 'cidr',
  domain: 'domain',
  hostname: 'domain',
  'domain-name': 'domain',
  fqdn: 'domain',
  url: 'url',
  link: 'url',
  uri: 'url',
  email: 'email',
  'email-src': 'email',
  'email-dst': 'email',
  'email-addr': 'email',
  md5: 'md5',
  sha1: 'sha1',
  'sha-1': 'sha1',
  sha256: 'sha256',
  'sha-256': 'sha256',
  sha512: 'sha512',
  'sha-512': 'sha512',
};

export function validConfidence(value: unknown): number | null | 'invalid' {
  if (value === null || value === undefined || value === '') return null;
  const number = typeof value === 'number' ? value : Number(value);
  return Number.isInteger(number) && number >= 0 && number <= 100 ? number : 'invalid';
}
