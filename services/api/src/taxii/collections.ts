import { readFileSync } from 'node:fs';
import type { ApiKey } from '@dragnet/api-keys';
import { type IndicatorKind, KINDS, TLP_LEVELS, type Tlp } from '@dragnet/indicators';
import { parseTlpLevel } from '@dragnet/lookup';
import { z } from 'zod';

/**
 * TAXII collections as the operator configures them (`TAXII_COLLECTIONS_FILE`,
 * JSON): each a filter over the indicator index and a read ACL. Validated
 * once at boot: a file that does not parse stops the API (exit 78), so a
 * typo never widens what a collection shares.
 */
export interface Collection {
  /** A UUID, as TAXII 2.1 wants. */
  id: string;
  title: string;
  description?: string | undefined;
  /** The most restrictive TLP the collection shares; a key sees the lower of this and its own ceiling. */
  maxTlp: Tlp;
  /** Only indicators one of these partners reported (in what the reader sees). */
  partners?: readonly string[] | undefined;
  kinds?: readonly IndicatorKind[] | undefined;
  /** Only indicators carrying one of these tags. */
  tags?: readonly string[] | undefined;
  /** Only indicators scored at least this (the score the reader sees). */
  minScore?: number | undefined;
  /**
   * Only active indicators. Off by default: expired and suppressed indicators
   * are then served as a new version with `revoked: true`, which tells
   * consumers to remove them; with it on, they just stop appearing.
   */
  activeOnly: boolean;
  read: { anyKey: boolean; keys: ReadonlySet<string>; organisations: ReadonlySet<string> };
  /**
   * Set on a partner's inbox: bundles posted here enter the pipeline as
   * that partner's feed. Only the keys listed here, each bound to that
   * partner (`"partner"` in the keys file), may post.
   */
  inbox?: { partner: string; keys: ReadonlySet<string> } | undefined;
}

export interface TaxiiConfiguration {
  title: string;
  description?: string | undefined;
  collections: readonly Collection[];
}

/** Readable by every key, up to TLP:GREEN: what a new install shares when nothing is configured. */
export const DEFAULT_COLLECTION_ID = '2930155d-9569-4006-a177-462a441beb56';

export const DEFAULT_TAXII_CONFIGURATION: TaxiiConfiguration = {
  title: 'Dragnet',
  collections: [
    {
      id: DEFAULT_COLLECTION_ID,
      title: 'Dragnet indicators (TLP:GREEN and below)',
      maxTlp: 'green',
      activeOnly: false,
      read: { anyKey: true, keys: new Set(), organisations: new Set() },
    },
  ],
};

const UUID = /^[0-9a-f]{8}-[0-9a-f]{4}-[1-8][0-9a-f]{3}-[89ab][0-9a-f]{3}-[0-9a-f]{12}$/;
const label = z.string().regex(/^[^\p{Cc}]{1,256}$/u, '1 to 256 characters, no control characters');
const names = z.array(label).min(1).max(1_000);
const tlp = z.string().transform((value, context) => {
  const level = parseTlpLevel(value);
  if (!level) {
    context.addIssue({ code: 'custom', message: `expected one of ${TLP_LEVELS.join(', ')}` });
    return z.NEVER;
  }
  return level;
});
const kind = z.string().refine((value) => Object.hasOwn(KINDS, value), 'not an indicator kind');

const collectionEntry = z
  .object({
    id: z.string().regex(UUID, 'expected a lower-case UUID'),
    title: label,
    description: z.string().max(4_096).optional(),
    max_tlp: tlp.default('green'),
    partners: names.optional(),
    kinds: z.array(kind).min(1).optional(),
    tags: names.optional(),
    min_score: z.number().min(0).max(100).optional(),
    active_only: z.boolean().default(false),
    read: z
      .object({
        any_key: z.boolean().default(false),
        keys: z.array(z.string().max(64)).max(10_000).default([]),
        organisations: z.array(label).max(10_000).default([]),
      })
      .strict()
      .refine((acl) => acl.any_key || acl.keys.length + acl.organisations.length > 0, {
        message: 'names no reader: set any_key, keys or organisations',
      }),
    inbox: z
      .object({
        partner: z.string().regex(/^[a-z0-9][a-z0-9-]{0,62}$/, 'a partner id of the registry'),
        keys: z.array(z.string().max(64)).min(1).max(10_000),
      })
      .strict()
      .optional(),
  })
  .strict();

const configurationFile = z
  .object({
    title: label.default('Dragnet'),
    description: z.string().max(4_096).optional(),
    collections: z.array(collectionEntry).min(1).max(1_000),
  })
  .strict();

/** Parses a collections file; errors name the entry and field. */
export function parseTaxiiConfiguration(text: string): TaxiiConfiguration {
  let raw: unknown;
  try {
    raw = JSON.parse(text);
  } catch (caught) {
    throw new Error(`TAXII_COLLECTIONS_FILE: not JSON (${(caught as Error).message})`);
  }
  const parsed = configurationFile.safeParse(raw);
  if (!parsed.success) {
    const issue = parsed.error.issues[0];
    throw new Error(`TAXII_COLLECTIONS_FILE: ${issue?.path.join('.') || '(root)'}: ${issue?.message}`);
  }
  const ids = new Set<string>();
  const collections = parsed.data.collections.map((entry): Collection => {
    if (ids.has(entry.id)) throw new Error(`TAXII_COLLECTIONS_FILE: duplicate collection id ${entry.id}`);
    ids.add(entry.id);
    return {
      id: entry.id,
      title: entry.title,
      description: entry.description,
      maxTlp: entry.max_tlp,
      partners: entry.partners,
      kinds: entry.kinds as IndicatorKind[] | undefined,
      tags: entry.tags,
      minScore: entry.min_score,
      activeOnly: entry.active_only,
      read: {
        anyKey: entry.read.any_key,
        keys: new Set(entry.read.keys),
        organisations: new Set(entry.read.organisations),
      },
      inbox: entry.inbox && { partner: entry.inbox.partner, keys: new Set(entry.inbox.keys) },
    };
  });
  return { title: parsed.data.title, description: parsed.data.description, collections };
}

/** The configuration in `file`, or the default collection when none is named. */
export function loadTaxiiConfiguration(file: string | undefined): TaxiiConfiguration {
  return file ? parseTaxiiConfiguration(readFileSync(file, 'utf8')) : DEFAULT_TAXII_CONFIGURATION;
}

export function canRead(collection: Collection, key: ApiKey): boolean {
  const { read } = collection;
  return read.anyKey || read.keys.has(key.id) || read.organisations.has(key.organisation ?? key.id);
}

/**
 * Whether `key` may post to `collection`: an inbox that lists the key, and
 * the key bound to the inbox's partner — both, so neither a keys-file edit
 * nor a collections-file edit alone lets a key speak for a partner.
 */
export function canWrite(collection: Collection, key: ApiKey): boolean {
  const { inbox } = collection;
  if (!inbox) return false;
  return inbox.keys.has(key.id) && key.partner === inbox.partner;
}

/**
 * Checks every inbox names a registered partner whose format is STIX (what
 * a post becomes); throws naming the first that does not, so the API does
 * not start with an inbox whose posts the normalizer would refuse whole.
 */
export function checkInboxPartners(
  configuration: TaxiiConfiguration,
  partners: readonly { id: string; format: { type: string } }[],
): void {
  const byId = new Map(partners.map((partner) => [partner.id, partner]));
  for (const collection of configuration.collections) {
    if (!collection.inbox) continue;
    const partner = byId.get(collection.inbox.partner);
    if (!partner)
      throw new Error(
        `TAXII_COLLECTIONS_FILE: ${collection.id}: inbox partner ${collection.inbox.partner} is not in the registry`,
      );
    if (partner.format.type !== 'stix')
      throw new Error(
        `TAXII_COLLECTIONS_FILE: ${collection.id}: inbox partner ${partner.id} must have format stix`,
      );
  }
}

/** The lower of the key's and the collection's ceilings. */
export function readerCeiling(collection: Collection, key: ApiKey): Tlp {
  return TLP_LEVELS.indexOf(key.maxTlp) <= TLP_LEVELS.indexOf(collection.maxTlp)
    ? key.maxTlp
    : collection.maxTlp;
}
