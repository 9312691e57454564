import { createHash, randomBytes } from 'node:crypto';
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
  /** Operator's name for the key; appears in logs and metrics instead of the key. */
  id: string;
  sha256: string;
  /** The most restrictive TLP this key may read (default `amber`). */
  maxTlp: Tlp;
  /** Rate-limit units per minute across every API process (default 600): a request is one, a bulk lookup one per 100 observables. */
  ratePerMinute: number;
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
});
const keyList = z.array(keyEntry).min(1, 'at least one key');

export function hashApiKey(key: string): string {
  return createHash('sha256').update(key, 'utf8').digest('hex');
}

/** A new random key (shown once) and the entry an operator adds to `API_KEYS`. */
export function createApiKey(id: string, maxTlp: Tlp, ratePerMinute = 600) {
  const key = `dgn_${randomBytes(32).toString('base64url')}`;
  return { key, entry: { id, sha256: hashApiKey(key), max_tlp: maxTlp, rate_per_minute: ratePerMinute } };
}

/** Parses the `API_KEYS` JSON (or the file `API_KEYS_FILE` names); errors name the entry and field. */
export function parseApiKeys(source: { json?: string | undefined; file?: string | undefined }): ApiKey[] {
  const text = source.file ? readFileSync(source.file, 'utf8') : source.json;
  if (!text) throw new Error('API_KEYS or API_KEYS_FILE: no API keys configured');
  let raw: unknown;
  try {
    raw = JSON.parse(text);
  } catch (error) {
    throw new Error(`${source.file ? 'API_KEYS_FILE' : 'API_KEYS'}: not JSON (${(error as Error).message})`);
  }
  const parsed = keyList.safeParse(raw);
  if (!parsed.success) {
    const issue = parsed.error.issues[0];
    throw new Error(`API keys: ${issue?.path.join('.') || '(root)'}: ${issue?.message}`);
  }
  const ids = new Set<string>();
  return parsed.data.map((entry) => {
    if (ids.has(entry.id)) throw new Error(`API keys: duplicate id ${entry.id}`);
    ids.add(entry.id);
    return {
      id: entry.id,
      sha256: entry.sha256,
      maxTlp: entry.max_tlp,
      ratePerMinute: entry.rate_per_minute,
    };
  });
}

export class ApiKeyRing {
  private readonly byHash: Map<string, ApiKey>;

  constructor(keys: readonly ApiKey[]) {
    this.byHash = new Map(keys.map((key) => [key.sha256, key]));
  }

  /** The key presented as `Authorization: Bearer …` or `X-API-Key: …`, or null. */
  authenticate(headers: Record<string, string | string[] | undefined>): ApiKey | null {
    const authorization = headers.authorization;
    const bearer =
      typeof authorization === 'string' && /^bearer /i.test(authorization)
        ? authorization.slice(7).trim()
        : null;
    const header = headers['x-api-key'];
    const presented = bearer ?? (typeof header === 'string' ? header.trim() : null);
    if (!presented || presented.length > 512) return null;
    return this.byHash.get(hashApiKey(presented)) ?? null;
  }
}
