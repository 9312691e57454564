import { spawn } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import { mkdtempSync, readFileSync, renameSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import { redactSecrets } from '@dragnet/config';
import type { Names } from '@dragnet/contracts';
import { TLP_LEVELS, validateFeedFormat } from '@dragnet/indicators';
import {
  type AclGrant,
  deleteAcls,
  describeAcls,
  ensureTopics,
  grantAcls,
  type KafkaClient,
  listTopics,
  readTopicRange,
  topicOffsets,
} from '@dragnet/kafka';
import { DEFAULT_PARTNERS_FILE, parseRegistry } from '@dragnet/partners';
import { UsageError } from './command.js';

/**
 * The Kafka perimeter: who may do what (ACLs for every service role and every
 * partner), and partner credentials (SCRAM-SHA-512). ACLs go through kafkajs'
 * admin API; SCRAM credentials through Kafka's own `kafka.admin.ConfigCommand`
 * (kafkajs has no AlterUserScramCredentials), run with the admin's identity.
 */

export const PARTNER_PRINCIPAL_PREFIX = 'partner.';
export const partnerPrincipal = (partnerId: string): string => `${PARTNER_PRINCIPAL_PREFIX}${partnerId}`;
/** A partner's consumer groups (to read its rejects topic) must start with this. */
export const partnerGroupPrefix = (partnerId: string): string => `${partnerPrincipal(partnerId)}.`;

/** One grant: a principal may do `operations` on the resource named `name` (or every name starting with it). */
export type Grant = AclGrant;
type Operation = AclGrant['operations'][number];

const topic = (name: string, operations: Operation[], prefixed = false): Grant => ({
  resource: 'topic',
  name,
  prefixed,
  operations,
});
const group = (name: string, operations: Operation[], prefixed = false): Grant => ({
  resource: 'group',
  name,
  prefixed,
  operations,
});

/** What a stage that dead-letters needs: the shared dead-letter topic and every partner's rejects topic. */
const deadLettering = (names: Names): Grant[] => [
  topic(names.topics.deadLetter, ['write', 'describe']),
  topic(names.partnerRejectsTopicPrefix, ['write', 'describe'], true),
];

/**
 * Each service role's grants: exactly the topics and groups it uses (see
 * docs/architecture.md). Idempotent writes need WRITE on the topic (Kafka ≥ 2.8
 * no longer asks for the cluster's IDEMPOTENT_WRITE). The API uses Kafka only for the TAXII inbox.
 */
export function serviceGrants(names: Names): Record<string, Grant[]> {
  const { topics, groups, partnerTopicPrefix, partnerRejectsTopicPrefix } = names;
  return {
    normalizer: [
      topic(partnerTopicPrefix, ['read', 'describe'], true),
      group(groups.normalizer, ['read']),
      topic(topics.mergeInput, ['write', 'describe']),
      ...deadLettering(names),
    ],
    deduplicator: [
      topic(topics.mergeInput, ['read', 'describe']),
      group(groups.deduplicator, ['read']),
      topic(topics.changes, ['write', 'describe']),
      // Recovery compares the indexer's committed offsets with the changes topic's end.
      group(groups.indexer, ['describe']),
      ...deadLettering(names),
    ],
    indexer: [
      topic(topics.changes, ['read', 'describe']),
      group(groups.indexer, ['read']),
      ...deadLettering(names),
    ],
    enricher: [topic(topics.mergeInput, ['write', 'describe'])],
    // The TAXII inbox: a post goes to its partner's intake topic; its status reads the
    // normalizer's committed offsets and the partner's rejects (throw-away readers).
    api: [
      topic(partnerTopicPrefix, ['write', 'describe'], true),
      topic(partnerRejectsTopicPrefix, ['read', 'describe'], true),
      group(groups.normalizer, ['describe']),
      group(groups.apiReaderPrefix, ['read', 'describe', 'delete'], true),
    ],
    // Writes each TAXII partner's collected pages to that partner's intake topic (every
    // `feeds.*`: which partners have a TAXII source is registry data, not a role).
    'taxii-collector': [topic(partnerTopicPrefix, ['write', 'describe'], true)],
    // The operator CLI: creates and grows topics (setup), pushes feed files, reads and
    // re-drives dead letters, reads lag. Partner credentials and ACLs need the admin.
    operator: [
      topic(partnerTopicPrefix, ['create', 'alter', 'describe', 'describe-configs', 'write'], true),
      topic(partnerRejectsTopicPrefix, ['create', 'alter', 'describe', 'describe-configs', 'read'], true),
      topic(topics.mergeInput, ['create', 'alter', 'describe', 'describe-configs', 'write']),
      topic(topics.changes, ['create', 'alter', 'describe', 'describe-configs', 'write']),
      topic(topics.deadLetter, ['create', 'alter', 'describe', 'describe-configs', 'read']),
      topic(topics.deadLetterRedrives, ['create', 'alter', 'describe', 'describe-configs', 'read', 'write']),
      group(groups.normalizer, ['describe']),
      group(groups.deduplicator, ['describe']),
      group(groups.indexer, ['describe']),
      group('dragnet-cli-', ['read', 'describe', 'delete'], true),
    ],
  };
}

/** A partner writes (idempotently) only to its own feed topic and reads only its own rejects topic. */
export function partnerGrants(partnerId: string, names: Names): Grant[] {
  return [
    topic(names.partnerTopic(partnerId), ['write', 'describe']),
    topic(names.partnerRejectsTopic(partnerId), ['read', 'describe']),
    group(partnerGroupPrefix(partnerId), ['read'], true),
  ];
}

/** Grants every service role its ACLs (idempotent: Kafka ignores an ACL it already has). */
export function applyServiceAcls(kafka: KafkaClient, names: Names): Promise<number> {
  return grantAcls(kafka, serviceGrants(names));
}

/** The ACLs Kafka holds for a principal, one line each (`allow write topic feeds.x (literal)`). */
export const describePrincipalAcls = describeAcls;

// --- SCRAM credentials through Kafka's own tool ------------------------------------

/** How to reach the brokers with Kafka's Java tools: the same identity and TLS as this process. */
export interface KafkaToolsSettings {
  brokers: string[];
  username: string;
  password: string;
  caFile?: string | undefined;
  ssl?: boolean | undefined;
  /** Java classpath holding Kafka's jars (`KAFKA_TOOLS_CLASSPATH`; the local stack's by default). */
  classpath: string;
  /** The java binary (`KAFKA_TOOLS_JAVA`, default `java`). */
  java: string;
}

const REPO_ROOT = fileURLToPath(new URL('../../../', import.meta.url));

export function kafkaToolsFromEnv(config: {
  KAFKA_BROKERS: string[];
  KAFKA_SASL_USERNAME?: string | undefined;
  KAFKA_SASL_PASSWORD?: string | undefined;
  KAFKA_SSL?: boolean | undefined;
  KAFKA_SSL_CA_FILE?: string | undefined;
  DRAGNET_STACK_DIR?: string | undefined;
  KAFKA_TOOLS_CLASSPATH?: string | undefined;
  KAFKA_TOOLS_JAVA?: string | undefined;
}): KafkaToolsSettings {
  if (!config.KAFKA_SASL_USERNAME || !config.KAFKA_SASL_PASSWORD)
    throw new Error(
      'partner: needs the Kafka admin identity (KAFKA_SASL_USERNAME and KAFKA_SASL_PASSWORD[_FILE])',
    );
  const stackDir = config.DRAGNET_STACK_DIR || join(REPO_ROOT, '.stack');
  return {
    brokers: config.KAFKA_BROKERS,
    username: config.KAFKA_SASL_USERNAME,
    password: config.KAFKA_SASL_PASSWORD,
    caFile: config.KAFKA_SSL_CA_FILE,
    ssl: config.KAFKA_SSL,
    classpath: config.KAFKA_TOOLS_CLASSPATH || `${join(stackDir, 'kafka', 'libs')}/*`,
    java: config.KAFKA_TOOLS_JAVA || 'java',
  };
}

/** A JAAS string literal. */
const jaasQuote = (value: string): string => `"${value.replace(/\\/g, '\\\\').replace(/"/g, '\\"')}"`;

/**
 * Runs `kafka.admin.ConfigCommand` on the `users` entity `principal`. Passwords
 * travel in files readable only by this user (never on a command line), in a
 * private temporary directory removed afterwards.
 */
async function scramCommand(
  tools: KafkaToolsSettings,
  principal: string,
  change: { add: string } | { delete: true },
): Promise<void> {
  const dir = mkdtempSync(join(tmpdir(), 'dragnet-scram-'));
  try {
    const clientProperties = [
      `security.protocol=${tools.caFile || tools.ssl ? 'SASL_SSL' : 'SASL_PLAINTEXT'}`,
      'sasl.mechanism=SCRAM-SHA-512',
      `sasl.jaas.config=org.apache.kafka.common.security.scram.ScramLoginModule required username=${jaasQuote(tools.username)} password=${jaasQuote(tools.password)};`,
      ...(tools.caFile ? ['ssl.truststore.type=PEM', `ssl.truststore.location=${tools.caFile}`] : []),
    ];
    writeFileSync(join(dir, 'client.properties'), `${clientProperties.join('\n')}\n`, { mode: 0o600 });
    const args = [
      '-cp',
      tools.classpath,
      'kafka.admin.ConfigCommand',
      '--bootstrap-server',
      tools.brokers.join(','),
      '--command-config',
      join(dir, 'client.properties'),
      '--entity-type',
      'users',
      '--entity-name',
      principal,
      '--alter',
    ];
    if ('add' in change) {
      // In a config file the value goes without the brackets of `--add-config 'SCRAM-SHA-512=[…]'`;
      // base64url passwords need no escaping.
      writeFileSync(join(dir, 'scram.properties'), `SCRAM-SHA-512=iterations=8192,password=${change.add}\n`, {
        mode: 0o600,
      });
      args.push('--add-config-file', join(dir, 'scram.properties'));
    } else {
      args.push('--delete-config', 'SCRAM-SHA-512');
    }
    // The tool may echo a rejected value: keep both passwords out of the error.
    await run(tools.java, args, ['add' in change ? change.add : '', tools.password]);
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
}

function run(command: string, args: string[], secrets: string[]): Promise<void> {
  return new Promise((resolvePromise, reject) => {
    const child = spawn(command, args, { stdio: ['ignore', 'pipe', 'pipe'] });
    let output = '';
    const keep = (chunk: Buffer) => {
      output = `${output}${chunk.toString('utf8')}`.slice(-4_000);
    };
    child.stdout.on('data', keep);
    child.stderr.on('data', keep);
    child.on('error', (error) => reject(new Error(`cannot run ${command}: ${error.message}`)));
    child.on('close', (code) => {
      if (code === 0) resolvePromise();
      else {
        const tail = output
          .trim()
          .split('\n')
          .filter((line) => !line.startsWith('log4j:'))
          .slice(-5)
          .join(' | ');
        reject(
          new Error(
            `kafka.admin.ConfigCommand failed (exit ${code}): ${redactSecrets(tail, secrets.filter(Boolean))}`,
          ),
        );
      }
    });
  });
}

// --- the partners file ---------------------------------------------------------------

const FORMAT_NAMES = new Set(['avro', 'stix', 'misp', 'csv', 'text']);

/** `--format`: a format name (`stix`, `misp`, `avro`, `text`) or the format's JSON (`{"type":"csv","valueColumn":0}`). */
export function parseFormatArgument(raw: string): Record<string, unknown> {
  const format: unknown = raw.trim().startsWith('{') ? JSON.parse(raw) : { type: raw };
  if (typeof format !== 'object' || format === null || Array.isArray(format))
    throw new Error('--format: expected a format name or a JSON object');
  const errors = validateFeedFormat(format as Record<string, unknown>);
  if (errors.length > 0)
    throw new Error(`--format: ${errors.join('; ')} (names: ${[...FORMAT_NAMES].join(', ')})`);
  return format as Record<string, unknown>;
}

interface PartnersFile {
  partners: Array<Record<string, unknown>>;
}

function readPartnersFile(file: string, names: Names): PartnersFile {
  const raw = JSON.parse(readFileSync(file, 'utf8')) as PartnersFile;
  parseRegistry(raw, names);
  return raw;
}

/** Validates the whole registry, then replaces the file atomically (a crash leaves the old one). */
function writePartnersFile(file: string, content: PartnersFile, names: Names): void {
  parseRegistry(content, names);
  const temporary = `${file}.${process.pid}.tmp`;
  writeFileSync(temporary, `${JSON.stringify(content, null, 2)}\n`);
  renameSync(temporary, file);
}

// --- commands ------------------------------------------------------------------------------

export interface PartnerAddOptions {
  id: string;
  format: Record<string, unknown>;
  defaultTlp: (typeof TLP_LEVELS)[number];
  name?: string | undefined;
  trust?: number | undefined;
}

export interface PartnerCredentials {
  principal: string;
  password: string;
  topic: string;
  rejectsTopic: string;
}

export const newPartnerPassword = (): string => randomBytes(24).toString('base64url');

/** Registry entry, topics, SCRAM credential and ACLs of a new partner; returns its one-time password. */
export async function addPartner(
  kafka: KafkaClient,
  tools: KafkaToolsSettings,
  partnersFile: string,
  options: PartnerAddOptions,
  names: Names,
): Promise<PartnerCredentials> {
  const registry = readPartnersFile(partnersFile, names);
  if (registry.partners.some((partner) => partner.id === options.id))
    throw new Error(`partner add: ${options.id} is already registered in ${partnersFile}`);
  const entry = {
    id: options.id,
    name: options.name ?? options.id,
    feedName: options.id,
    format: options.format,
    defaultTlp: options.defaultTlp,
    trust: options.trust ?? 0.5,
    partitions: 3,
    retentionDays: 14,
  };
  writePartnersFile(partnersFile, { ...registry, partners: [...registry.partners, entry] }, names);
  const credentialsTopics = {
    topic: names.partnerTopic(options.id),
    rejectsTopic: names.partnerRejectsTopic(options.id),
  };
  const day = 86_400_000;
  await ensureTopics(kafka, [
    {
      topic: credentialsTopics.topic,
      partitions: entry.partitions,
      config: { 'retention.ms': String(entry.retentionDays * day), 'max.message.bytes': '10485760' },
    },
    { topic: credentialsTopics.rejectsTopic, partitions: 1, config: { 'retention.ms': String(30 * day) } },
  ]);
  const principal = partnerPrincipal(options.id);
  const password = newPartnerPassword();
  await scramCommand(tools, principal, { add: password });
  await grantAcls(kafka, { [principal]: partnerGrants(options.id, names) });
  return { principal, password, ...credentialsTopics };
}

/** A new password; the old one stops working for new connections at once. */
export async function rotatePartner(tools: KafkaToolsSettings, partnerId: string): Promise<string> {
  const password = newPartnerPassword();
  await scramCommand(tools, partnerPrincipal(partnerId), { add: password });
  return password;
}

/**
 * Deletes the partner's credential and ACLs: it cannot connect again, and a
 * connection still open is refused every request. Its registry entry and topic
 * stay, so what it sent before is still processed and its history kept.
 */
export async function revokePartner(
  kafka: KafkaClient,
  tools: KafkaToolsSettings,
  partnerId: string,
): Promise<void> {
  const principal = partnerPrincipal(partnerId);
  await deleteAcls(kafka, principal);
  await scramCommand(tools, principal, { delete: true });
}

/** Each partner's topics, ACLs and newest message time. */
export async function listPartners(
  kafka: KafkaClient,
  partnersFile: string,
  names: Names,
): Promise<string[]> {
  const registry = parseRegistry(JSON.parse(readFileSync(partnersFile, 'utf8')), names);
  const lines: string[] = [];
  const existing = new Set(await listTopics(kafka));
  for (const partner of registry.partners) {
    const acls = await describePrincipalAcls(kafka, partnerPrincipal(partner.id));
    const lastWrite = existing.has(partner.topic) ? await lastWriteTime(kafka, partner.topic) : undefined;
    lines.push(
      `${partner.id}  principal ${partnerPrincipal(partner.id)}  topic ${partner.topic}  rejects ${partner.rejectsTopic}  ` +
        `last write ${lastWrite ? new Date(lastWrite).toISOString() : 'never'}`,
    );
    for (const acl of acls.length > 0 ? acls : ['(no ACLs: revoked or never added)'])
      lines.push(`    ${acl}`);
  }
  return lines;
}

/** The broker's timestamp of the newest message on any partition of `topic` (undefined when empty). */
async function lastWriteTime(kafka: KafkaClient, topicName: string): Promise<number | undefined> {
  const ranges = ((await topicOffsets(kafka, topicName)) ?? [])
    .filter((partition) => BigInt(partition.high) > BigInt(partition.low))
    .map(({ partition, high }) => ({ partition, from: String(BigInt(high) - 1n), until: high }));
  if (ranges.length === 0) return undefined;
  // Only the newest record of each partition is read.
  const newest = await readTopicRange(kafka, topicName, {
    ranges,
    timeoutMs: 10_000,
    groupIdPrefix: 'dragnet-cli-',
  }).catch(() => []);
  return newest.reduce((latest, record) => Math.max(latest, record.timestamp), 0) || undefined;
}

/** `--id`: a partner id as the registry allows it. */
export function partnerIdOption(command: string, raw: string | undefined): string {
  if (!raw || !/^[a-z0-9][a-z0-9-]{0,62}$/.test(raw))
    throw new UsageError(`${command}: --id is required (lower-case letters, digits and dashes)`);
  return raw;
}

/** `--default-tlp` and `--trust` of `partner add`. */
export function partnerAddSettings(raw: { defaultTlp: string | undefined; trust: string | undefined }) {
  const defaultTlp = (raw.defaultTlp ?? 'amber') as (typeof TLP_LEVELS)[number];
  if (!TLP_LEVELS.includes(defaultTlp))
    throw new UsageError(`--default-tlp: expected one of ${TLP_LEVELS.join(', ')}`);
  const trust = raw.trust === undefined ? undefined : Number(raw.trust);
  if (trust !== undefined && !(trust >= 0 && trust <= 1)) throw new UsageError('--trust: expected 0 to 1');
  return { defaultTlp, trust };
}

export const partnersFilePath = (config: { PARTNERS_FILE?: string | undefined }): string =>
  resolve(config.PARTNERS_FILE ?? DEFAULT_PARTNERS_FILE);

/** A partner's credentials for a freshly rotated password (topics follow from the id). */
export const partnerCredentials = (
  partnerId: string,
  password: string,
  names: Names,
): PartnerCredentials => ({
  principal: partnerPrincipal(partnerId),
  password,
  topic: names.partnerTopic(partnerId),
  rejectsTopic: names.partnerRejectsTopic(partnerId),
});

/** What a partner configures its Kafka client with (`KAFKA_PARTNER_BROKERS`: the partners' listener). */
export function printClientSettings(
  credentials: PartnerCredentials,
  listener: { DRAGNET_CA_FILE?: string | undefined; KAFKA_PARTNER_BROKERS?: string | undefined },
): void {
  const caFile = listener.DRAGNET_CA_FILE;
  const brokers = listener.KAFKA_PARTNER_BROKERS ?? '(the partner listener, e.g. kafka.example.org:9094)';
  console.log(`# Client settings for ${credentials.principal} — the password is shown once; send it out of band.
bootstrap.servers=${brokers}
security.protocol=SASL_SSL
sasl.mechanism=SCRAM-SHA-512
sasl.jaas.config=org.apache.kafka.common.security.scram.ScramLoginModule required username="${credentials.principal}" password="${credentials.password}";
ssl.truststore.type=PEM
ssl.truststore.location=<the CA file: ${caFile ?? 'ca.crt'}>
enable.idempotence=true
# produce to: ${credentials.topic}
# rejects (consumer group ids must start with ${credentials.principal}.): ${credentials.rejectsTopic}`);
}
