/**
 * What a canonicaliser returns: the canonical form, or the reason a value is
 * not one. Its own module so the per-kind modules (canonical-forms.ts,
 * domain.ts, url.ts, ip networks) share it without importing each other.
 */
import type { RejectReason } from './model.js';

export type Canonical =
  | {
      ok: true;
      value: string;
      /** A URL written without `scheme://`, read as `http://…` (see url.ts). */
      schemeAssumed?: true;
    }
  | { ok: false; reason: RejectReason; message: string };

export const fail = (reason: RejectReason, message: string): Canonical => ({ ok: false, reason, message });
export const ok = (value: string): Canonical => ({ ok: true, value });

/** Values quoted in messages are clipped: a 2 MB "domain" should not become a 2 MB log line. */
export const quote = (value: string): string =>
  JSON.stringify(value.length > 120 ? `${value.slice(0, 120)}…` : value);
