import type { IndicatorKind } from '@dragnet/indicators';

const DAY_MS = 86_400_000;

/**
 * MISP-style polynomial decay: `score(t) = base × (1 − (Δt / lifetime)^(1/decaySpeed))`.
 * decaySpeed > 1 drops fast early then flattens; < 1 holds, then falls near the end.
 */
export interface DecayModel {
  lifetimeDays: number;
  decaySpeed: number;
}

/** Addresses: re-assigned, and cloud IPs recycled, within weeks; a fast early drop. */
const ADDRESS: DecayModel = { lifetimeDays: 30, decaySpeed: 2 };
/** Names (domains, URLs, mailboxes, artefact names, ASNs): live for months, then are dropped or parked; linear. */
const NAME: DecayModel = { lifetimeDays: 90, decaySpeed: 1 };
/** Fingerprints (hashes, certificates, wallets, detection rules): always the same thing, only its relevance fades. */
const FINGERPRINT: DecayModel = { lifetimeDays: 365, decaySpeed: 0.5 };

/**
 * The decay model of each kind (a new kind must pick one: the `Record` type
 * refuses to compile without it). See packages/document/README.md "Score and
 * decay".
 */
export const DECAY_MODELS: Readonly<Record<IndicatorKind, DecayModel>> = Object.freeze({
  ipv4: ADDRESS,
  ipv6: ADDRESS,
  cidr: ADDRESS,
  domain: NAME,
  url: NAME,
  email: NAME,
  md5: FINGERPRINT,
  sha1: FINGERPRINT,
  sha256: FINGERPRINT,
  sha512: FINGERPRINT,
  sha224: FINGERPRINT,
  sha384: FINGERPRINT,
  'sha3-256': FINGERPRINT,
  'sha3-512': FINGERPRINT,
  ssdeep: FINGERPRINT,
  tlsh: FINGERPRINT,
  imphash: FINGERPRINT,
  authentihash: FINGERPRINT,
  pehash: FINGERPRINT,
  'file-name': NAME,
  'file-path': NAME,
  directory: NAME,
  'registry-key': NAME,
  mutex: NAME,
  'x509-md5': FINGERPRINT,
  'x509-sha1': FINGERPRINT,
  'x509-sha256': FINGERPRINT,
  'x509-serial': FINGERPRINT,
  'x509-subject': NAME,
  'x509-issuer': NAME,
  asn: NAME,
  mac: ADDRESS,
  'user-agent': NAME,
  'email-subject': NAME,
  'crypto-wallet': FINGERPRINT,
  // A phone number is re-assigned, but slowly: a name.
  phone: NAME,
  // A TLS/SSH fingerprint names a client or server build, shared by every host that runs it.
  ja3: FINGERPRINT,
  ja3s: FINGERPRINT,
  jarm: FINGERPRINT,
  hassh: FINGERPRINT,
  'hassh-server': FINGERPRINT,
  'stix-pattern': FINGERPRINT,
  yara: FINGERPRINT,
  sigma: FINGERPRINT,
  snort: FINGERPRINT,
  suricata: FINGERPRINT,
});

export interface ScoreSource {
  provider: string;
  /** Operator's trust in the partner, 0..1. */
  trust: number;
  /** The partner's own confidence 0..100, or null when it gave none. */
  confidence: number | null;
  /** Epoch ms of this partner's latest sighting. */
  lastSeen: number;
  /** Epoch ms after which the partner no longer vouches, or null. */
  validUntil: number | null;
}

/** What a warninglist hit asks for (`WarninglistAction` of packages/enrichment, the list format's field). */
export type WarninglistAction = 'warn' | 'suppress';

export interface ScoreInput {
  kind: IndicatorKind;
  sources: readonly ScoreSource[];
  warninglistHits: readonly { action: WarninglistAction }[];
  /** Epoch ms. */
  now: number;
}

export interface ScoreOptions {
  /** Below this the indicator is expired. Default 20. */
  threshold?: number;
  /** Confidence assumed for a partner that gave none. Default 50. */
  defaultConfidence?: number;
  /** Multiplier per warninglist hit. Default 0.3. */
  warninglistFactor?: number;
  models?: Partial<Record<IndicatorKind, DecayModel>>;
}

export interface ScoreResult {
  /** Decayed score now, 0..100, two decimals. */
  score: number;
  /** Score at the last sighting (before decay), 0..100, two decimals. */
  baseScore: number;
  expired: boolean;
  /** Epoch ms when the score falls below the threshold or validity ends, whichever is first; null without sources. */
  expiresAt: number | null;
  /** A `suppress` warninglist matched: callers should hide the indicator from detections. */
  suppressed: boolean;
}

const clamp = (value: number, low: number, high: number) => Math.min(high, Math.max(low, value));
const round2 = (value: number) => Math.round(value * 100) / 100;

/**
 * Noisy-OR over partners: each partner's belief `trust × confidence/100` is an
 * independent chance of being right, so `1 − Π(1 − pᵢ)` rises with
 * corroboration but with diminishing returns and never past 1. A partner
 * reporting twice is one voice: its best report counts.
 */
export function corroboratedBelief(sources: readonly ScoreSource[], defaultConfidence: number): number {
  const best = new Map<string, number>();
  for (const source of sources) {
    const belief = clamp(source.trust, 0, 1) * (clamp(source.confidence ?? defaultConfidence, 0, 100) / 100);
    best.set(source.provider, Math.max(best.get(source.provider) ?? 0, belief));
  }
  let disbelief = 1;
  for (const belief of best.values()) disbelief *= 1 - belief;
  return 1 - disbelief;
}

/** Base (undecayed) score: corroborated belief × 100, lowered by each warninglist hit. */
export function baseScoreOf(input: ScoreInput, options: ScoreOptions = {}): number {
  const belief = corroboratedBelief(input.sources, options.defaultConfidence ?? 50);
  const factor = (options.warninglistFactor ?? 0.3) ** input.warninglistHits.length;
  return 100 * belief * factor;
}

/** The decay polynomial, clamped at 0 once Δt reaches the lifetime. */
export function decayedScore(base: number, ageMs: number, model: DecayModel): number {
  const ratio = Math.max(0, ageMs) / (model.lifetimeDays * DAY_MS);
  if (ratio >= 1) return 0;
  return base * (1 - ratio ** (1 / model.decaySpeed));
}

/** Age at which the decayed score equals `threshold` (inverse of the polynomial), or 0 if it starts below. */
export function ageAtThreshold(base: number, threshold: number, model: DecayModel): number {
  if (base <= threshold) return 0;
  return model.lifetimeDays * DAY_MS * (1 - threshold / base) ** model.decaySpeed;
}

/**
 * A validity bound only holds when every partner gave one (a partner that gave
 * none still vouches); then the latest one counts.
 */
export function validUntilOf(sources: readonly ScoreSource[]): number | null {
  if (sources.length === 0 || sources.some((source) => source.validUntil === null)) return null;
  return Math.max(...sources.map((source) => source.validUntil!));
}

/** Pure and deterministic: the same input always gives the same score. */
export function scoreIndicator(input: ScoreInput, options: ScoreOptions = {}): ScoreResult {
  const threshold = options.threshold ?? 20;
  const suppressed = input.warninglistHits.some((hit) => hit.action === 'suppress');
  if (input.sources.length === 0)
    return { score: 0, baseScore: 0, expired: true, expiresAt: null, suppressed };

  const model = options.models?.[input.kind] ?? DECAY_MODELS[input.kind];
  const base = baseScoreOf(input, options);
  // A new sighting by any partner restarts the clock.
  const lastSeen = Math.max(...input.sources.map((source) => source.lastSeen));
  const score = decayedScore(base, input.now - lastSeen, model);
  const validUntil = validUntilOf(input.sources);
  const decayEnd = lastSeen + Math.floor(ageAtThreshold(base, threshold, model));
  const expiresAt = validUntil === null ? decayEnd : Math.min(decayEnd, validUntil);
  const expired = (validUntil !== null && input.now > validUntil) || score < threshold;
  return { score: round2(score), baseScore: round2(base), expired, expiresAt, suppressed };
}
