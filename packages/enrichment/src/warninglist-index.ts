import type { IndicatorKind } from '@dragnet/indicators';
import { AhoCorasick } from './aho-corasick.js';
import { buildContext, type IndicatorContext } from './indicator-context.js';
import { parseCidr } from './ip-address.js';
import { PrefixTrie } from './prefix-trie.js';
import {
  kindsOfAttributes,
  type Warninglist,
  type WarninglistAction,
  type WarninglistLoadError,
  type WarninglistType,
} from './warninglist-format.js';

export interface WarninglistHit {
  id: string;
  name: string;
  type: WarninglistType;
  action: WarninglistAction;
}

/** Per-list action, keyed by list id (file base name) or by the list's `name`. Default `warn`. */
export type WarninglistActions = Readonly<Record<string, WarninglistAction>>;

export interface WarninglistSummary extends WarninglistHit {
  version: number;
  entries: number;
  kinds: IndicatorKind[];
}

interface CompiledList {
  hit: WarninglistHit;
  kinds: ReadonlySet<IndicatorKind>;
}

interface CompiledRegex {
  list: number;
  pattern: RegExp;
}

/** `/pattern/flags` as MISP (PHP preg) writes them; a bare pattern is taken as-is. */
export function parseMispRegex(entry: string): RegExp {
  if (entry.length < 2 || entry[0] !== '/') return new RegExp(entry);
  const end = entry.lastIndexOf('/');
  if (end <= 0) return new RegExp(entry);
  // `g` only makes `test` stateful; PHP's `x`/`U` have no JS equivalent and `new RegExp` rejects them.
  const flags = entry.slice(end + 1).replaceAll('g', '');
  return new RegExp(entry.slice(1, end), flags);
}

/** Lower-case, no wildcard/leading/trailing dots: `*.Example.COM.` → `example.com`. */
export function normaliseHostnameEntry(entry: string): string {
  let host = entry.trim().toLowerCase();
  if (host.startsWith('*.')) host = host.slice(2);
  while (host.startsWith('.')) host = host.slice(1);
  while (host.endsWith('.')) host = host.slice(0, -1);
  return host;
}

function addTo(map: Map<string, number[]>, key: string, list: number): void {
  const lists = map.get(key);
  if (!lists) map.set(key, [list]);
  else if (lists[lists.length - 1] !== list) lists.push(list);
}

function errorMessage(error: unknown): string {
  return error instanceof Error ? error.message : String(error);
}

/**
 * Immutable index over a set of warninglists: each list type gets one shared
 * structure (two prefix tries, two hash maps, one Aho–Corasick automaton, a
 * regex array), so matching cost does not grow with the number of lists.
 */
export class WarninglistIndex {
  readonly lists: readonly WarninglistSummary[];
  readonly errors: readonly WarninglistLoadError[];
  private readonly compiled: CompiledList[] = [];
  private readonly ipv4 = new PrefixTrie();
  private readonly ipv6 = new PrefixTrie();
  private readonly hostnames = new Map<string, number[]>();
  private readonly strings = new Map<string, number[]>();
  private readonly substrings: AhoCorasick;
  private readonly substringLists: number[] = [];
  private readonly regexes: CompiledRegex[] = [];

  constructor(
    lists: readonly Warninglist[],
    actions: WarninglistActions = {},
    loadErrors: WarninglistLoadError[] = [],
  ) {
    const errors = [...loadErrors];
    const patterns: string[] = [];
    lists.forEach((list, index) => {
      const action = actions[list.id] ?? actions[list.name] ?? 'warn';
      this.compiled.push({
        hit: { id: list.id, name: list.name, type: list.type, action },
        kinds: kindsOfAttributes(list.matching_attributes),
      });
      for (const entry of list.list) {
        const problem = this.addEntry(list, index, entry, patterns);
        if (problem) errors.push({ list: list.id, entry, message: problem });
      }
    });
    this.substrings = new AhoCorasick(patterns);
    this.errors = errors;
    this.lists = lists.map((list, index) => ({
      ...this.compiled[index]!.hit,
      version: list.version,
      entries: list.list.length,
      kinds: [...this.compiled[index]!.kinds].sort(),
    }));
  }

  /** Adds one entry to the structure of its list's type; returns a problem description or null. */
  private addEntry(list: Warninglist, index: number, entry: string, patterns: string[]): string | null {
    switch (list.type) {
      case 'cidr': {
        const network = parseCidr(entry.trim().toLowerCase());
        if (!network) return 'not an IP address or CIDR block';
        (network.address.family === 4 ? this.ipv4 : this.ipv6).insert(network, index);
        return null;
      }
      case 'hostname': {
        const host = normaliseHostnameEntry(entry);
        if (host) addTo(this.hostnames, host, index);
        return null;
      }
      case 'string': {
        // Values are canonical (lower-case hosts and hashes); keep the raw form too for case-sensitive URL paths.
        const trimmed = entry.trim();
        addTo(this.strings, trimmed, index);
        if (trimmed.toLowerCase() !== trimmed) addTo(this.strings, trimmed.toLowerCase(), index);
        return null;
      }
      case 'substring': {
        const needle = entry.trim().toLowerCase();
        if (!needle) return null;
        patterns.push(needle);
        this.substringLists.push(index);
        return null;
      }
      case 'regex':
        try {
          this.regexes.push({ list: index, pattern: parseMispRegex(entry) });
          return null;
        } catch (error) {
          return `invalid regex: ${errorMessage(error)}`;
        }
    }
  }

  /** Hits for one canonical indicator value. */
  match(kind: IndicatorKind, value: string): WarninglistHit[] {
    return this.matchContext(buildContext(kind, value));
  }

  /** Hits for an already-parsed indicator (the registry parses once for all providers). */
  matchContext(context: IndicatorContext): WarninglistHit[] {
    const found = new Set<number>();
    const kind = context.kind;
    const accept = (checkedKind: IndicatorKind) => (list: number) => {
      if (this.compiled[list]!.kinds.has(checkedKind)) found.add(list);
    };

    if (context.network) {
      // URL hosts are checked as the address they are; IP/CIDR indicators as themselves.
      const family = context.network.address.family;
      const hostKind: IndicatorKind = kind === 'url' ? (family === 4 ? 'ipv4' : 'ipv6') : kind;
      (family === 4 ? this.ipv4 : this.ipv6).containing(context.network, accept(hostKind));
    }
    if (context.hostname && this.hostnames.size > 0) this.matchHostname(context.hostname, accept('domain'));
    const exact = this.strings.get(context.value);
    if (exact) exact.forEach(accept(kind));
    if (this.substringLists.length > 0) {
      const onSubstring = accept(kind);
      this.substrings.search(context.value, (pattern) => onSubstring(this.substringLists[pattern]!));
    }
    for (const regex of this.regexes) {
      if (
        this.compiled[regex.list]!.kinds.has(kind) &&
        !found.has(regex.list) &&
        regex.pattern.test(context.value)
      ) {
        found.add(regex.list);
      }
    }
    return [...found].sort((a, b) => a - b).map((list) => this.compiled[list]!.hit);
  }

  /** The host or any parent domain listed: walk label boundaries, one map lookup each. */
  private matchHostname(hostname: string, visit: (list: number) => void): void {
    let start = 0;
    while (start < hostname.length) {
      const lists = this.hostnames.get(start === 0 ? hostname : hostname.slice(start));
      if (lists) lists.forEach(visit);
      const dot = hostname.indexOf('.', start);
      if (dot === -1) return;
      start = dot + 1;
    }
  }
}
