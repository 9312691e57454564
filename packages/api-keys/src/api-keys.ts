import { createHash, randomBytes, timingSafeEqual } from 'node:crypto';
import { readFileSync } from 'node:fs';
import type { Tlp } from '@dragnet/indicators';
import { parseTlpLevel } from '@dragnet/lookup';
import { z } from 'zod';

/**
 * API keys live in configuration only as SHA-256 digests: the configuration
 * (or a leaked copy of it) never holds a usable key. Keys are long random
 * strings, so a plain digest is enough — no slow KDF is needed against
 * guessing, and lookup stays one hash per request.
 */
export interface ApiKey {
  /** Operator's name for the key; appears in logs, metrics and the audit trail instead of the key. */
  id: string;
  sha256: string;
  /** The most restrictive TLP this key may read (default `amber`). */
  maxTlp: Tlp;
  /** Rate-limit units per minute across every API process (default 600): a request is one, a bulk lookup one per 100 observables. */
  ratePerMinute: number;
  /** Who holds the key (e.g. a member country's unit); recorded with every request. Defaults to the id. */
  organisation?: string;
  /** Epoch ms from which the key is refused (`key_expired`); none: it does not expire. */
  expiresAt?: number | null;
  /** A revoked key is refused (`key_revoked`) from the moment the keys file with the mark is read. */
  revoked?: boolean;
  /**
   * The partner (registry id) this key speaks for. Only a key bound to a
   * partner may post to that partner's TAXII inbox (docs/taxii.md, "Inbox");
   * reading needs no binding.
   */
  partner?: string | null;
}

/** An ISO 8601 date-time with an explicit offset. */
const EXPIRY =
  /^(\d{4})-(\d{2})-(\d{2})T(\d{2}):(\d{2})(?::(\d{2})(?:\.\d{1,9})?)?(?:Z|[+-](\d{2}):(\d{2}))$/;

/** Epoch ms of an expiry, or NaN: every field range-checked (no 30 February rolled into March), years 2000–9999. */
export function parseExpiry(text: string): number {
  const match = EXPIRY.exec(text);
  if (!match) return Number.NaN;
  const [year, month, day, hour, minute, second = 0, offsetHours = 0, offsetMinutes = 0] = match
    .slice(1)
    .map((part) => (part === undefined ? undefined : Number(part))) as number[];
  const daysInMonth = new Date(Date.UTC(year!, month!, 0)).getUTCDate();
  const inRange =
    year! >= 2000 &&
    month! >= 1 &&
    month! <= 12 &&
    day! >= 1 &&
    day! <= daysInMonth &&
    hour! <= 23 &&
    minute! <= 59 &&
    second <= 59 &&
    offsetHours <= 23 &&
    offsetMinutes <= 59;
  return inRange ? Date.parse(text) : Number.NaN;
}

const keyEntry = z.object({
  id: z.string().regex(/^[A-Za-z0-9._-]{1,64}$/, 'letters, digits, dot, dash, underscore; at most 64'),
  sha256: z
    .string()
    .regex(/^[0-9a-f]{64}$/, 'expected 64 lower-case hex digits (see `dragnet api-key create`)'),
  max_tlp: z
    .string()
    .default('amber')
    .transform((value, ctx) => {
      const tlp = parseTlpLevel(value);
      if (!tlp) {
        ctx.addIssue({ code: 'custom', message: 'expected clear, green, amber, amber+strict or red' });
        return z.NEVER;
      }
      return tlp;
    }),
  rate_per_minute: z.number().int().min(1).max(1_000_000).default(600),
  organisation: z
    .string()
    .regex(/^[^\p{Cc}]{1,128}$/u, '1 to 128 characters, no control characters')
    .optional(),
  expires_at: z
    .string()
    .transform((value, ctx) => {
      const at = parseExpiry(value);
      if (Number.isNaN(at)) {
        ctx.addIssue({
          code: 'custom',
          message: 'expected an ISO 8601 date-time with offset, e.g. 2027-01-31T00:00:00Z',
        });
        return z.NEVER;
      }
      return at;
    })
    .optional(),
  revoked: z.boolean().default(false),
  /** Same rule as a registry partner id (`packages/partners`). */
  partner: z
    .string()
    .regex(/^[a-z0-9][a-z0-9-]{0,62}$/, 'a partner id: lower-case letters, digits and dashes')
    .optional(),
});
const keyList = z.array(keyEntry).min(1, 'at least one key');

export function hashApiKey(key: string): string {
  return createHash('sha256').update(key, 'utf8').digest('hex');
}

/** A new random key (shown once) and the entry an operator adds to `API_KEYS`. */
export function createApiKey(
  id: string,
  maxTlp: Tlp,
  ratePerMinute = 600,
  options: { organisation?: string; expiresAt?: Date } = {},
) {
  const key = `dgn_${randomBytes(32).toString('base64url')}`;
  return {
    key,
    entry: {
      id,
      sha256: hashApiKey(key),
      max_tlp: maxTlp,
      rate_per_minute: ratePerMinute,
      ...(options.organisation ? { organisation: options.organisation } : {}),
      ...(options.expiresAt ? { expires_at: options.expiresAt.toISOString() } : {}),
    },
  };
}

/** Reads the `API_KEYS` JSON (or the file `API_KEYS_FILE` names) and parses it. */
export function parseApiKeys(source: { json?: string | undefined; file?: string | undefined }): ApiKey[] {
  const text = source.file ? readFileSync(source.file, 'utf8') : source.json;
  if (!text) throw new Error('API_KEYS or API_KEYS_FILE: no API keys configured');
  return parseApiKeyText(text, source.file ? 'API_KEYS_FILE' : 'API_KEYS');
}

/** Parses a keys JSON array; errors name the entry and field, never a digest. */
export function parseApiKeyText(text: string, origin = 'API_KEYS'): ApiKey[] {
  let raw: unknown;
  try {
    raw = JSON.parse(text);
  } catch (error) {
    throw new Error(`${origin}: not JSON (${(error as Error).message})`);
  }
  const parsed = keyList.safeParse(raw);
  if (!parsed.success) {
    const issue = parsed.error.issues[0];
    throw new Error(`API keys: ${issue?.path.join('.') || '(root)'}: ${issue?.message}`);
  }
  const ids = new Set<string>();
  const digests = new Set<string>();
  return parsed.data.map((entry) => {
    if (ids.has(entry.id)) throw new Error(`API keys: duplicate id ${entry.id}`);
    if (digests.has(entry.sha256)) throw new Error(`API keys: ${entry.id}: same sha256 as another key`);
    ids.add(entry.id);
    digests.add(entry.sha256);
    return {
      id: entry.id,
      sha256: entry.sha256,
      maxTlp: entry.max_tlp,
      ratePerMinute: entry.rate_per_minute,
      organisation: entry.organisation ?? entry.id,
      expiresAt: entry.expires_at ?? null,
      revoked: entry.revoked,
      partner: entry.partner ?? null,
    };
  });
}

/** What a request's credentials came to. Only `valid` may be answered. */
export type Authentication =
  | { outcome: 'valid'; key: ApiKey }
  | { outcome: 'expired' | 'revoked'; key: ApiKey }
  | { outcome: 'missing' | 'unknown' };

/** Longest key accepted before hashing; generated keys are 47 characters. */
const MAX_PRESENTED_KEY_CHARACTERS = 512;

export class ApiKeyRing {
  private readonly keys: { key: ApiKey; digest: Buffer }[];

  constructor(keys: readonly ApiKey[]) {
    this.keys = keys.map((key) => ({ key, digest: Buffer.from(key.sha256, 'hex') }));
  }

  get size(): number {
    return this.keys.length;
  }

  /**
   * The key presented as `Authorization: Bearer …` or `X-API-Key: …`, checked
   * in constant time: the digest of what was presented is compared with every
   * configured digest by `timingSafeEqual`, all of them, whatever matched, so
   * the time taken says nothing about which key (or how much of one) matched.
   */
  authenticate(
    headers: Record<string, string | string[] | undefined>,
    now: number = Date.now(),
  ): Authentication {
    const authorization = headers.authorization;
    const bearer =
      typeof authorization === 'string' && /^bearer /i.test(authorization)
        ? authorization.slice(7).trim()
        : null;
    const header = headers['x-api-key'];
    const presented = bearer ?? (typeof header === 'string' ? header.trim() : null);
    if (!presented) return { outcome: 'missing' };
    if (presented.length > MAX_PRESENTED_KEY_CHARACTERS) return { outcome: 'unknown' };
    const digest = createHash('sha256').update(presented, 'utf8').digest();
    let found: ApiKey | null = null;
    for (const candidate of this.keys) {
      // No early exit: every digest is compared.
      if (timingSafeEqual(candidate.digest, digest)) found = candidate.key;
    }
    if (!found) return { outcome: 'unknown' };
    if (found.revoked) return { outcome: 'revoked', key: found };
    if (found.expiresAt != null && now >= found.expiresAt) return { outcome: 'expired', key: found };
    return { outcome: 'valid', key: found };
  }
}
