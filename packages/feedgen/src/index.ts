/**
 * Deterministic synthetic indicator feeds for demos, tests and benchmarks: a
 * realistic kind mix, a chosen share of duplicates across partners, a fixed
 * seed. Values are in documentation/test ranges where such ranges exist.
 */

export type SyntheticKind = 'ipv4' | 'ipv6' | 'domain' | 'url' | 'sha256' | 'md5' | 'email';

export const DEFAULT_MIX: Record<SyntheticKind, number> = {
  ipv4: 0.3,
  domain: 0.2,
  url: 0.2,
  sha256: 0.15,
  md5: 0.05,
  ipv6: 0.05,
  email: 0.05,
};

export interface SyntheticIndicator {
  kind: SyntheticKind;
  value: string;
  /** Epoch ms. */
  firstSeen: number;
  partner: string;
}

export interface GenerateOptions {
  count: number;
  /** Share of records that repeat an observable another partner already reported (default 0.3). */
  duplicateRatio?: number;
  partners?: string[];
  seed?: number;
  mix?: Partial<Record<SyntheticKind, number>>;
  /** Epoch ms of the newest first-seen date (default 2026-01-01). */
  baseTime?: number;
}

/** mulberry32: tiny, fast, good enough for test data, and the same on every machine. */
export function seededRandom(seed: number): () => number {
  let state = seed >>> 0;
  return () => {
    state = (state + 0x6d2b79f5) >>> 0;
    let t = state;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4_294_967_296;
  };
}

const hex = (random: () => number, length: number) => {
  let out = '';
  while (out.length < length)
    out += Math.floor(random() * 0x1_0000_0000)
      .toString(16)
      .padStart(8, '0');
  return out.slice(0, length);
};

const WORDS = [
  'update',
  'secure',
  'login',
  'cdn',
  'mail',
  'portal',
  'account',
  'verify',
  'cloud',
  'files',
  'pay',
  'auth',
];
const TLDS = ['com', 'net', 'org', 'info', 'io', 'ru', 'xyz', 'top', 'co.uk', 'com.br'];

/** The n-th distinct observable of a kind: a bijection from n, so uniqueness needs no memory. */
export function observable(kind: SyntheticKind, n: number, random: () => number): string {
  switch (kind) {
    case 'ipv4':
      // 10.0.0.0/8 and 100.64.0.0/10 are too small for millions; use a spread over public-looking space, deterministic in n.
      return `${11 + (Math.floor(n / 16_777_216) % 200)}.${(n >>> 16) & 255}.${(n >>> 8) & 255}.${n & 255}`;
    case 'ipv6':
      return `2001:db8:${((n >>> 16) & 0xffff).toString(16)}:${(n & 0xffff).toString(16)}::${(1 + (n % 0xfffe)).toString(16)}`;
    case 'domain':
      return `${WORDS[n % WORDS.length]}-${n.toString(36)}.${TLDS[Math.floor(n / WORDS.length) % TLDS.length]}`;
    case 'url':
      return `http://${WORDS[(n + 3) % WORDS.length]}-${n.toString(36)}.example.${TLDS[n % TLDS.length]}/${WORDS[n % 7]}/${hex(random, 8)}.php`;
    case 'sha256':
      return `${n.toString(16).padStart(16, '0')}${hex(random, 48)}`;
    case 'md5':
      return `${n.toString(16).padStart(12, '0')}${hex(random, 20)}`;
    case 'email':
      return `${WORDS[n % WORDS.length]}.${n.toString(36)}@mail-${(n % 997).toString(36)}.example.com`;
  }
}

/**
 * Yields `count` indicators one by one (no growing arrays: a 10-million feed
 * streams in constant memory). Duplicates repeat a recent observable under
 * another partner, as overlapping vendor feeds do.
 */
export function* generateIndicators(options: GenerateOptions): Generator<SyntheticIndicator> {
  const random = seededRandom(options.seed ?? 42);
  const partners = options.partners ?? ['partner-a', 'partner-b', 'partner-c'];
  const duplicateRatio = options.duplicateRatio ?? 0.3;
  const mix = { ...DEFAULT_MIX, ...options.mix };
  const kinds = Object.keys(mix) as SyntheticKind[];
  const total = kinds.reduce((sum, kind) => sum + (mix[kind] ?? 0), 0);
  const counters = new Map<SyntheticKind, number>();
  const recent: SyntheticIndicator[] = [];
  const baseTime = options.baseTime ?? Date.UTC(2026, 0, 1);
  for (let index = 0; index < options.count; index++) {
    const firstSeen = baseTime - Math.floor(random() * 30) * 86_400_000;
    if (recent.length > 0 && random() < duplicateRatio) {
      const original = recent[Math.floor(random() * recent.length)]!;
      const others = partners.filter((partner) => partner !== original.partner);
      yield {
        ...original,
        partner: others[Math.floor(random() * others.length)] ?? original.partner,
        firstSeen,
      };
      continue;
    }
    let pick = random() * total;
    let kind = kinds[0]!;
    for (const candidate of kinds) {
      pick -= mix[candidate] ?? 0;
      if (pick <= 0) {
        kind = candidate;
        break;
      }
    }
    const n = counters.get(kind) ?? 0;
    counters.set(kind, n + 1);
    const item = {
      kind,
      value: observable(kind, n, random),
      firstSeen,
      partner: partners[Math.floor(random() * partners.length)]!,
    };
    if (recent.length < 10_000) recent.push(item);
    else recent[Math.floor(random() * recent.length)] = item;
    yield item;
  }
}

/** One CSV line in Dragnet's generic list layout: `value,type,first_seen`. */
export function toCsvLine(indicator: SyntheticIndicator): string {
  return `${indicator.value},${indicator.kind},${new Date(indicator.firstSeen).toISOString()}`;
}
