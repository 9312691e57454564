/**
 * Partner feeds whose outcome is known without Dragnet's code: each vector
 * (`vectors.json`, made by `make-vectors.py`: a canonical value and the id
 * the OASIS stix2 library gives it) is written the way partners write it —
 * defanged, upper case, padded, IPv6 unabbreviated — by this generator's own
 * rules, so the expected canonical value and id are the vector's whatever
 * spelling went on the wire.
 */
import { readFileSync } from 'node:fs';
// Test-data randomness only (not code the checker checks): replayable from a seed.
import { seededRandom } from '@dragnet/feedgen';

export const VECTOR_KINDS = ['ipv4', 'ipv6', 'domain', 'url', 'email', 'md5', 'sha1', 'sha256'] as const;
export type VectorKind = (typeof VECTOR_KINDS)[number];

export interface Vector {
  kind: VectorKind;
  /** Canonical value (what `dragnet.value` must be). */
  value: string;
  /** STIX 2.1 id computed by stix2 (what `_id` must be). */
  id: string;
}

/** What the index must show for one pushed (partner, observable). */
export interface ExpectedReport {
  partner: string;
  id: string;
  kind: VectorKind;
  value: string;
}

export function loadVectors(): Vector[] {
  const file = JSON.parse(readFileSync(new URL('./vectors.json', import.meta.url), 'utf8')) as {
    vectors: [string, string, string][];
  };
  return file.vectors.map(([kind, value, id]) => {
    if (!(VECTOR_KINDS as readonly string[]).includes(kind))
      throw new Error(`vectors.json: unknown kind ${kind}`);
    return { kind: kind as VectorKind, value, id };
  });
}

const pick = <T>(next: () => number, items: readonly T[]): T => items[Math.floor(next() * items.length)]!;

/** `2001:db8::1` → `2001:0db8:0000:0000:0000:0000:0000:0001`. */
export function explodeIpv6(value: string): string {
  const [head, tail] = value.includes('::') ? value.split('::') : [value, undefined];
  const left = head ? head.split(':') : [];
  const right = tail ? tail.split(':') : [];
  const zeros = tail === undefined ? [] : Array.from({ length: 8 - left.length - right.length }, () => '0');
  return [...left, ...zeros, ...right].map((group) => group.padStart(4, '0')).join(':');
}

const defangLastDot = (text: string) => {
  const dot = text.lastIndexOf('.');
  return dot === -1 ? text : `${text.slice(0, dot)}[.]${text.slice(dot + 1)}`;
};
const defangDots = (text: string) => text.replaceAll('.', '[.]');
const pad = (text: string) => ` \t${text}  `;

/** The part of a URL between `//` and the first `/` after it (the vectors' URLs always have a path). */
function splitUrl(url: string): { scheme: string; host: string; rest: string } {
  const afterScheme = url.indexOf('://') + 3;
  const slash = url.indexOf('/', afterScheme);
  return {
    scheme: url.slice(0, afterScheme - 3),
    host: url.slice(afterScheme, slash),
    rest: url.slice(slash),
  };
}

/** Ways partners write each kind; every one must come back to the canonical value. */
const SPELLINGS: Record<VectorKind, readonly ((value: string) => string)[]> = {
  ipv4: [
    (v) => v,
    defangDots,
    defangLastDot,
    pad,
    (v) => v.replaceAll('.', '(.)'),
    (v) => pad(defangLastDot(v)),
  ],
  ipv6: [(v) => v, (v) => v.toUpperCase(), explodeIpv6, (v) => explodeIpv6(v).toUpperCase(), pad],
  domain: [
    (v) => v,
    (v) => v.toUpperCase(),
    defangLastDot,
    defangDots,
    (v) => `${v}.`,
    (v) => pad(defangLastDot(v.toUpperCase())),
  ],
  url: [
    (v) => v,
    (v) => v.replace(/^http/, 'hxxp'),
    (v) => {
      const { scheme, host, rest } = splitUrl(v);
      return `${scheme.replace('http', 'hxxp')}://${defangLastDot(host)}${rest}`;
    },
    (v) => {
      const { scheme, host, rest } = splitUrl(v);
      return `${scheme.toUpperCase()}://${host.toUpperCase()}${rest}`;
    },
    (v) => {
      const { scheme, host, rest } = splitUrl(v);
      return `${scheme}://${host}:${scheme === 'https' ? 443 : 80}${rest}`;
    },
    // No `#fragment` spelling: a fragment is part of what a partner reported (it stays in the canonical URL), so it names another URL.
    (v) => pad(v.replace(/^http/, 'hxxp')),
  ],
  email: [
    (v) => v,
    (v) => {
      const at = v.lastIndexOf('@');
      return `${v.slice(0, at)}@${v.slice(at + 1).toUpperCase()}`;
    },
    (v) => v.replace('@', '[@]'),
    (v) => {
      const at = v.lastIndexOf('@');
      return `${v.slice(0, at)}[at]${defangLastDot(v.slice(at + 1))}`;
    },
    pad,
  ],
  md5: [(v) => v, (v) => v.toUpperCase(), pad],
  sha1: [(v) => v, (v) => v.toUpperCase(), pad],
  sha256: [(v) => v, (v) => v.toUpperCase(), pad],
};

/** Type names partners put in the type column, per kind (MISP and blocklist vocabulary). */
const TYPE_NAMES: Record<VectorKind, readonly string[]> = {
  ipv4: ['ip-dst', 'ip-src', 'ip', 'IPv4'],
  ipv6: ['ipv6', 'IPv6'],
  domain: ['domain', 'hostname', 'Domain'],
  url: ['url', 'URL', 'link'],
  email: ['email-src', 'email', 'email-dst'],
  md5: ['md5', 'MD5'],
  sha1: ['sha1', 'SHA1'],
  sha256: ['sha256', 'SHA256'],
};

export interface GeneratedFeeds {
  /** CSV lines (`value,type,first_seen`) per partner, in push order. */
  lines: Map<string, string[]>;
  /** One entry per distinct (partner, observable) pushed. */
  expected: ExpectedReport[];
}

/**
 * Writes `vectors` to the partners' feeds: each observable reported by one
 * to all partners, one in ten of those reports sent twice in another
 * spelling (a partner repeating itself must still be one source).
 */
export function generateFeeds(
  vectors: readonly Vector[],
  partners: readonly string[],
  seed: number,
): GeneratedFeeds {
  const next = seededRandom(seed);
  const lines = new Map<string, string[]>(partners.map((partner) => [partner, []]));
  const expected: ExpectedReport[] = [];
  const firstSeen = new Date(Date.now() - 3_600_000).toISOString();
  for (const vector of vectors) {
    let reporters = partners.filter(() => next() < 0.6);
    if (reporters.length === 0) reporters = [pick(next, partners)];
    for (const partner of reporters) {
      expected.push({ partner, id: vector.id, kind: vector.kind, value: vector.value });
      const times = next() < 0.1 ? 2 : 1;
      for (let time = 0; time < times; time++) {
        const spelling = pick(next, SPELLINGS[vector.kind])(vector.value);
        lines.get(partner)!.push(`${spelling},${pick(next, TYPE_NAMES[vector.kind])},${firstSeen}`);
      }
    }
  }
  return { lines, expected };
}

/** Splits lines into feed messages of `perMessage` lines (what a partner's push produces). */
export function toMessages(lines: readonly string[], perMessage: number): string[] {
  const messages: string[] = [];
  for (let start = 0; start < lines.length; start += perMessage)
    messages.push(`${lines.slice(start, start + perMessage).join('\n')}\n`);
  return messages;
}
