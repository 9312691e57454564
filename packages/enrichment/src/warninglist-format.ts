import type { IndicatorKind } from '@dragnet/indicators';

export const WARNINGLIST_TYPES = ['cidr', 'string', 'hostname', 'substring', 'regex'] as const;
export type WarninglistType = (typeof WARNINGLIST_TYPES)[number];

export type WarninglistAction = 'warn' | 'suppress';

/** One MISP warninglist file (https://github.com/MISP/misp-warninglists). */
export interface Warninglist {
  /** File base name (`rfc1918`): stable, short, used for action config. */
  id: string;
  name: string;
  description: string;
  type: WarninglistType;
  version: number;
  list: string[];
  matching_attributes: string[];
}

/** A file or entry that could not be used; the rest still loads. */
export interface WarninglistLoadError {
  list: string;
  entry: string | null;
  message: string;
}

const IP_KINDS: readonly IndicatorKind[] = ['ipv4', 'ipv6', 'cidr'];

/**
 * MISP attribute types → Dragnet kinds. `filename|md5` etc. map to the hash
 * kind (Dragnet has no filename part); types with no Dragnet kind (phone
 * numbers, ssdeep, …) map to nothing.
 */
const KINDS_OF_ATTRIBUTE: Readonly<Record<string, readonly IndicatorKind[]>> = {
  'ip-src': IP_KINDS,
  'ip-dst': IP_KINDS,
  'ip-src|port': IP_KINDS,
  'ip-dst|port': IP_KINDS,
  'domain|ip': ['domain', ...IP_KINDS],
  domain: ['domain'],
  hostname: ['domain'],
  'hostname|port': ['domain'],
  url: ['url'],
  uri: ['url'],
  link: ['url'],
  email: ['email'],
  'email-src': ['email'],
  'email-dst': ['email'],
  'target-email': ['email'],
  'whois-registrant-email': ['email'],
  'dns-soa-email': ['email'],
  md5: ['md5'],
  'filename|md5': ['md5'],
  'x509-fingerprint-md5': ['md5'],
  sha1: ['sha1'],
  'filename|sha1': ['sha1'],
  'x509-fingerprint-sha1': ['sha1'],
  sha256: ['sha256'],
  'filename|sha256': ['sha256'],
  'x509-fingerprint-sha256': ['sha256'],
  sha512: ['sha512'],
  'filename|sha512': ['sha512'],
};

export function kindsOfAttributes(attributes: readonly string[]): Set<IndicatorKind> {
  const kinds = new Set<IndicatorKind>();
  for (const attribute of attributes) for (const kind of KINDS_OF_ATTRIBUTE[attribute] ?? []) kinds.add(kind);
  return kinds;
}

function isStringArray(value: unknown): value is string[] {
  return Array.isArray(value) && value.every((item) => typeof item === 'string');
}

/** Validates parsed JSON as a warninglist; returns an error message instead of throwing. */
export function toWarninglist(id: string, json: unknown): Warninglist | string {
  if (typeof json !== 'object' || json === null) return 'not a JSON object';
  const record = json as Record<string, unknown>;
  const type = record.type;
  if (typeof type !== 'string' || !(WARNINGLIST_TYPES as readonly string[]).includes(type)) {
    return `unsupported type ${JSON.stringify(type)}`;
  }
  if (typeof record.name !== 'string') return 'missing name';
  if (!isStringArray(record.list)) return 'list must be an array of strings';
  const attributes = record.matching_attributes;
  if (!isStringArray(attributes)) return 'matching_attributes must be an array of strings';
  return {
    id,
    name: record.name,
    description: typeof record.description === 'string' ? record.description : '',
    type: type as WarninglistType,
    version: typeof record.version === 'number' ? record.version : 0,
    list: record.list,
    matching_attributes: attributes,
  };
}
