import { readFileSync } from 'node:fs';
import { dirname, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import { DEFAULT_NAMES, type Names } from '@dragnet/contracts';
import { type FeedFormat, TLP_LEVELS, validateFeedFormat } from '@dragnet/indicators';
import { z } from 'zod';

/** The registry shipped with the repository; `PARTNERS_FILE` points elsewhere in production. */
export const DEFAULT_PARTNERS_FILE = resolve(
  dirname(fileURLToPath(import.meta.url)),
  '../../../infra/partners.json',
);

/**
 * A partner that publishes over TAXII 2.1 instead of pushing to Kafka: the
 * taxii-collector service polls this collection and writes each page as a
 * STIX bundle to the partner's topic. Secrets are never inline: `passwordFile`
 * (with `username`, HTTP Basic) or `tokenFile` (Bearer) name files (absolute,
 * or relative to the working directory) whose content is the secret.
 */
const taxiiSourceSchema = z
  .object({
    /** The API root, e.g. `https://taxii.example.org/api1/` (http or https). */
    apiRoot: z.string().refine((value) => URL.canParse(value) && /^https?:$/.test(new URL(value).protocol), {
      message: 'expected an http(s) URL',
    }),
    collectionId: z.string().regex(/^[A-Za-z0-9._~-]{1,128}$/, 'a collection id (letters, digits, . _ ~ -)'),
    username: z.string().min(1).optional(),
    passwordFile: z.string().min(1).optional(),
    tokenFile: z.string().min(1).optional(),
    pollIntervalSeconds: z.number().int().min(1).max(86_400).default(300),
    /** Objects asked per page (`limit`); the server may serve fewer. */
    pageLimit: z.number().int().min(1).max(10_000).default(1_000),
    /** Where a first poll starts (`added_after`); unset: the whole collection. */
    addedAfter: z.iso.datetime().optional(),
  })
  .strict()
  .refine((source) => !(source.tokenFile && (source.username || source.passwordFile)), {
    message: 'tokenFile (Bearer) or username + passwordFile (Basic), not both',
  })
  .refine((source) => Boolean(source.username) === Boolean(source.passwordFile), {
    message: 'username and passwordFile go together',
  });

export type TaxiiSource = z.infer<typeof taxiiSourceSchema>;

const partnerSchema = z.object({
  id: z.string().regex(/^[a-z0-9][a-z0-9-]{0,62}$/, 'lower-case letters, digits and dashes'),
  name: z.string().min(1),
  feedName: z.string().min(1),
  format: z.record(z.string(), z.unknown()),
  defaultTlp: z.enum(TLP_LEVELS),
  /** How much Dragnet trusts this partner's word, 0–1: an input of the score. */
  trust: z.number().min(0).max(1),
  partitions: z.number().int().min(1).max(256).default(3),
  retentionDays: z.number().int().min(1).max(3650).default(14),
  taxii: taxiiSourceSchema.optional(),
});

const registrySchema = z.object({ partners: z.array(partnerSchema).min(1) });

export interface Partner {
  id: string;
  name: string;
  feedName: string;
  format: FeedFormat;
  defaultTlp: (typeof TLP_LEVELS)[number];
  trust: number;
  partitions: number;
  retentionDays: number;
  /** Set when Dragnet collects this partner's feed from its TAXII 2.1 server (format `stix`). */
  taxii?: TaxiiSource | undefined;
  /** `feeds.<id>` */
  topic: string;
  /** `dragnet.rejects.<id>`: the dead letters of this partner's messages, for the partner to read. */
  rejectsTopic: string;
}

export interface PartnerRegistry {
  partners: Partner[];
  byId: Map<string, Partner>;
  byTopic: Map<string, Partner>;
  /** The namespace's names the partners' topics were named in; `planTopics` names the internal topics from them too. */
  names: Names;
}

/**
 * Validates a registry: schema, unique ids and topics, known formats with valid mappings. Throws naming every problem.
 * `names` (the service's or CLI's context, `names(config.DRAGNET_NAMESPACE)`) names the partners' topics; without it,
 * the process environment's namespace (deprecated, for callers not migrated yet).
 */
export function parseRegistry(raw: unknown, names: Names = DEFAULT_NAMES): PartnerRegistry {
  const parsed = registrySchema.safeParse(raw);
  if (!parsed.success) {
    throw new Error(
      `invalid partners registry: ${parsed.error.issues.map((issue) => `${issue.path.join('.')}: ${issue.message}`).join('; ')}`,
    );
  }
  const problems: string[] = [];
  const byId = new Map<string, Partner>();
  const byTopic = new Map<string, Partner>();
  for (const entry of parsed.data.partners) {
    const formatErrors = validateFeedFormat(entry.format);
    for (const error of formatErrors) problems.push(`partner ${entry.id}: format: ${error}`);
    if (entry.taxii && entry.format.type !== 'stix')
      problems.push(`partner ${entry.id}: taxii: the format must be stix (TAXII serves STIX bundles)`);
    const partner: Partner = {
      ...entry,
      format: entry.format as unknown as FeedFormat,
      topic: names.partnerTopic(entry.id),
      rejectsTopic: names.partnerRejectsTopic(entry.id),
    };
    if (byId.has(partner.id)) problems.push(`partner ${partner.id}: duplicate id`);
    if (byTopic.has(partner.topic)) problems.push(`partner ${partner.id}: duplicate topic ${partner.topic}`);
    byId.set(partner.id, partner);
    byTopic.set(partner.topic, partner);
  }
  if (problems.length > 0) throw new Error(`invalid partners registry: ${problems.join('; ')}`);
  return { partners: [...byId.values()], byId, byTopic, names };
}

export function loadRegistry(
  file: string = DEFAULT_PARTNERS_FILE,
  names: Names = DEFAULT_NAMES,
): PartnerRegistry {
  let raw: unknown;
  try {
    raw = JSON.parse(readFileSync(file, 'utf8'));
  } catch (error) {
    throw new Error(`cannot read partners registry ${file}: ${(error as Error).message}`);
  }
  return parseRegistry(raw, names);
}

export interface PlannedTopic {
  topic: string;
  partitions: number;
  config: Record<string, string>;
}

const DAY_MS = 86_400_000;

/** Largest dead letter: the shared dead-letter topic and every rejects topic take it. */
const DEAD_LETTER_MAX_BYTES = '20971520';

/**
 * Every topic Dragnet needs, from the registry: per partner an intake topic
 * and a rejects topic (one partition, so a partner reads its rejects in
 * order; both with the partner's retention), the canonical topic, the
 * compacted changes topic (latest document per indicator: the index can be
 * rebuilt from it) and the dead-letter topic (kept long enough for a human
 * to act).
 */
export function planTopics(registry: PartnerRegistry, internalPartitions = 6): PlannedTopic[] {
  const { topics } = registry.names;
  return [
    ...registry.partners.flatMap((partner) => {
      const retention = String(partner.retentionDays * DAY_MS);
      return [
        {
          topic: partner.topic,
          partitions: partner.partitions,
          config: { 'retention.ms': retention, 'max.message.bytes': '10485760' },
        },
        {
          topic: partner.rejectsTopic,
          partitions: 1,
          config: { 'retention.ms': retention, 'max.message.bytes': DEAD_LETTER_MAX_BYTES },
        },
      ];
    }),
    {
      topic: topics.mergeInput,
      partitions: internalPartitions,
      config: { 'retention.ms': String(7 * DAY_MS) },
    },
    {
      topic: topics.changes,
      partitions: internalPartitions,
      config: { 'cleanup.policy': 'compact', 'min.compaction.lag.ms': String(DAY_MS) },
    },
    {
      topic: topics.deadLetter,
      partitions: 1,
      config: { 'retention.ms': String(30 * DAY_MS), 'max.message.bytes': DEAD_LETTER_MAX_BYTES },
    },
  ];
}
