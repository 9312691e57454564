import { copyFileSync, mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { namespaceEnv, parseConfig } from '@dragnet/config';
import { names } from '@dragnet/contracts';
import { createKafka, deleteTopics, ensureTopics, type KafkaSasl } from '@dragnet/kafka';
import { DEFAULT_PARTNERS_FILE, loadRegistry } from '@dragnet/partners';
import {
  type TestKafka as Kafka,
  requireStack,
  stack,
  testKafka,
  testLogger,
  uniqueName,
} from '@dragnet/test-kit';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import {
  addPartner,
  kafkaToolsFromEnv,
  listPartners,
  partnerGroupPrefix,
  revokePartner,
  rotatePartner,
} from './perimeter.js';

// The names the operator's CLI uses: the environment's namespace, read as `dragnet` reads it.
const NAMES = names(parseConfig(namespaceEnv, process.env).DRAGNET_NAMESPACE);
const { topics, partnerTopic, partnerRejectsTopic } = NAMES;

// The secured stack (DRAGNET_STACK_SECURITY=on bash infra/local/stack.sh up): the test
// acts as the admin (KAFKA_SASL_*), partners connect to the TLS listener (KAFKA_PARTNER_BROKERS).
const partnerBrokers = (process.env.KAFKA_PARTNER_BROKERS ?? '127.0.0.1:19094').split(',');
const secretsDir =
  process.env.DRAGNET_SECRETS_DIR ??
  join(process.env.DRAGNET_STACK_DIR ?? join(process.cwd(), '.stack'), 'secrets');
const servicePassword = (role: string) =>
  readFileSync(join(secretsDir, `kafka-${role}.password`), 'utf8').trim();

/** The CA a partner is given (the stack prints DRAGNET_CA_FILE). */
const ca = () => readFileSync(process.env.DRAGNET_CA_FILE ?? join(secretsDir, 'ca.crt'), 'utf8');

const scram = (username: string, password: string): KafkaSasl => ({
  mechanism: 'scram-sha-512',
  username,
  password,
});

/** A client that gives up at once, so a refusal shows as an error instead of minutes of retries. */
function client(options: { sasl?: KafkaSasl; tls?: boolean; brokers?: string[] }): Kafka {
  // The test reaches the driver (admin requests the adapters never make) through test-kit's type.
  return createKafka({
    brokers: options.brokers ?? stack.KAFKA_BROKERS,
    clientId: 'dragnet-security-test',
    logger: testLogger,
    connectionTimeoutMs: 3_000,
    retries: 0,
    sasl: options.sasl,
    ssl: options.tls ? { ca: ca() } : undefined,
  }) as Kafka;
}
const partnerClient = (principal: string, password: string) =>
  client({ brokers: partnerBrokers, tls: true, sasl: scram(principal, password) });
const serviceClient = (role: string) => client({ sasl: scram(role, servicePassword(role)) });

async function connectAdmin(kafka: Kafka): Promise<void> {
  const admin = kafka.admin();
  try {
    await admin.connect();
    await admin.describeCluster();
  } finally {
    await admin.disconnect().catch(() => undefined);
  }
}

async function produce(kafka: Kafka, topic: string, value: string): Promise<void> {
  const producer = kafka.producer({ idempotent: true, maxInFlightRequests: 1, retry: { retries: 2 } });
  await producer.connect();
  try {
    await producer.send({ topic, acks: -1, messages: [{ value }] });
  } finally {
    await producer.disconnect().catch(() => undefined);
  }
}

/** Every value on `topic` from the start, read as `kafka`'s principal with consumer group `groupId`. */
async function consumeAll(kafka: Kafka, topic: string, groupId: string, expected: number): Promise<string[]> {
  const consumer = kafka.consumer({ groupId, maxWaitTimeInMs: 200 });
  const values: string[] = [];
  await consumer.connect();
  try {
    await consumer.subscribe({ topic, fromBeginning: true });
    await new Promise<void>((resolve, reject) => {
      const timer = setTimeout(
        () => reject(new Error(`read ${values.length}/${expected} from ${topic}`)),
        20_000,
      );
      consumer.on(consumer.events.CRASH, (event) => {
        clearTimeout(timer);
        reject(event.payload.error);
      });
      void consumer
        .run({
          eachMessage: async ({ message }) => {
            values.push(message.value?.toString('utf8') ?? '');
            if (values.length >= expected) {
              clearTimeout(timer);
              resolve();
            }
          },
        })
        .catch(reject);
    });
  } finally {
    await consumer.disconnect().catch(() => undefined);
  }
  return values;
}

const AUTHORIZATION = /authoriz|not authorized|TOPIC_AUTHORIZATION_FAILED|GROUP_AUTHORIZATION_FAILED/i;

describe('Kafka perimeter (secured stack)', () => {
  const admin = testKafka('dragnet-security-admin');
  const dir = mkdtempSync(join(tmpdir(), 'dragnet-partners-'));
  const partnersFile = join(dir, 'partners.json');
  const a = uniqueName('pa');
  const b = uniqueName('pb');
  const passwords = new Map<string, string>();
  const tools = () => kafkaToolsFromEnv(stack);

  beforeAll(async () => {
    if (!stack.KAFKA_SASL_USERNAME)
      throw new Error(
        'these tests need the secured stack: DRAGNET_STACK_SECURITY=on (see docs/local-stack.md)',
      );
    await requireStack();
    copyFileSync(DEFAULT_PARTNERS_FILE, partnersFile);
    for (const id of [a, b]) {
      const credentials = await addPartner(
        admin,
        tools(),
        partnersFile,
        { id, format: { type: 'stix' }, defaultTlp: 'amber' },
        NAMES,
      );
      passwords.set(id, credentials.password);
    }
    await ensureTopics(admin, [
      { topic: topics.deadLetter, partitions: 1 },
      { topic: topics.mergeInput, partitions: 1 },
      { topic: topics.changes, partitions: 1 },
    ]);
  });

  afterAll(async () => {
    for (const id of [a, b]) await revokePartner(admin, tools(), id).catch(() => undefined);
    await deleteTopics(
      admin,
      [a, b].flatMap((id) => [partnerTopic(id), partnerRejectsTopic(id)]),
    ).catch(() => undefined);
    rmSync(dir, { recursive: true, force: true });
  });

  it('registers the partner in the partners file', () => {
    const registry = loadRegistry(partnersFile, NAMES);
    expect(registry.byId.get(a)?.topic).toBe(partnerTopic(a));
    expect(registry.byId.get(a)?.defaultTlp).toBe('amber');
  });

  it('refuses a client without credentials, with a wrong password, or without TLS on the partner listener', async () => {
    await expect(connectAdmin(client({}))).rejects.toThrow();
    await expect(connectAdmin(client({ sasl: scram('admin', 'not-the-password') }))).rejects.toThrow(
      /SASL|authentication/i,
    );
    await expect(connectAdmin(partnerClient(`partner.${a}`, 'wrong'))).rejects.toThrow(
      /SASL|authentication/i,
    );
    await expect(
      connectAdmin(client({ brokers: partnerBrokers, sasl: scram(`partner.${a}`, passwords.get(a) ?? '') })),
    ).rejects.toThrow();
    // The same identity over TLS is let in: the refusals above are about what was missing.
    await connectAdmin(partnerClient(`partner.${a}`, passwords.get(a) ?? ''));
  });

  it('lets a partner write to its own feed only', async () => {
    const partnerA = partnerClient(`partner.${a}`, passwords.get(a) ?? '');
    await produce(partnerA, partnerTopic(a), 'own feed');
    await expect(produce(partnerA, partnerTopic(b), 'forged')).rejects.toThrow(AUTHORIZATION);
    await expect(produce(partnerA, topics.mergeInput, 'forged')).rejects.toThrow(AUTHORIZATION);
    // Nothing of the forgery reached B's topic: only what B's identity (here: the admin) wrote is there.
    await produce(admin, partnerTopic(b), 'b genuine');
    expect(await consumeAll(admin, partnerTopic(b), uniqueName('dragnet-cli-check'), 1)).toEqual([
      'b genuine',
    ]);
  });

  it("lets a partner read its own rejects topic, and not another's feed, the dead letters or internal topics", async () => {
    await produce(admin, partnerRejectsTopic(a), 'reject of a');
    await produce(admin, partnerRejectsTopic(b), 'reject of b');
    const partnerA = partnerClient(`partner.${a}`, passwords.get(a) ?? '');
    const group = () => `${partnerGroupPrefix(a)}${uniqueName('g')}`;
    expect(await consumeAll(partnerA, partnerRejectsTopic(a), group(), 1)).toEqual(['reject of a']);
    for (const topic of [
      partnerTopic(b),
      partnerRejectsTopic(b),
      topics.deadLetter,
      topics.mergeInput,
      topics.changes,
    ])
      await expect(consumeAll(partnerA, topic, group(), 1), topic).rejects.toThrow(AUTHORIZATION);
    // Its own topic, but a consumer group outside its prefix: the broker answers FindCoordinator
    // with GROUP_AUTHORIZATION_FAILED, which kafkajs reports as "Failed to find group coordinator".
    await expect(consumeAll(partnerA, partnerRejectsTopic(a), uniqueName('other-group'), 1)).rejects.toThrow(
      /group coordinator|GROUP_AUTHORIZATION_FAILED/i,
    );
  });

  it('lists each partner with its topics and ACLs', async () => {
    const lines = await listPartners(admin, partnersFile, NAMES);
    const start = lines.findIndex((line) => line.startsWith(`${a} `));
    expect(lines[start]).toContain(`topic ${partnerTopic(a)}`);
    expect(lines[start]).not.toContain('last write never');
    const acls = lines.slice(start + 1, start + 6).join('\n');
    expect(acls).toContain(`allow write topic ${partnerTopic(a)} (literal)`);
    expect(acls).toContain(`allow read topic ${partnerRejectsTopic(a)} (literal)`);
  });

  it('accepts a rotated password and refuses the old one', async () => {
    const old = passwords.get(b) ?? '';
    const rotated = await rotatePartner(tools(), b);
    passwords.set(b, rotated);
    await connectAdmin(partnerClient(`partner.${b}`, rotated));
    await produce(partnerClient(`partner.${b}`, rotated), partnerTopic(b), 'after rotation');
    await expect(connectAdmin(partnerClient(`partner.${b}`, old))).rejects.toThrow(/SASL|authentication/i);
  });

  it('refuses a revoked partner on its next connection', async () => {
    const password = passwords.get(a) ?? '';
    await connectAdmin(partnerClient(`partner.${a}`, password));
    await revokePartner(admin, tools(), a);
    await expect(connectAdmin(partnerClient(`partner.${a}`, password))).rejects.toThrow(
      /SASL|authentication/i,
    );
  });

  it('gives each service role what it needs and refuses the rest', async () => {
    const topic = partnerTopic(b);
    // normalizer: reads partner feeds in its group, writes canonical; cannot write changes or partner feeds.
    const normalizer = serviceClient('normalizer');
    await produce(normalizer, topics.mergeInput, 'canonical report');
    await expect(produce(normalizer, topics.changes, 'x')).rejects.toThrow(AUTHORIZATION);
    await expect(produce(normalizer, topic, 'x')).rejects.toThrow(AUTHORIZATION);
    // indexer: writes dead letters; cannot write the canonical topic or read partner feeds.
    const indexer = serviceClient('indexer');
    await produce(indexer, topics.deadLetter, 'letter');
    await expect(produce(indexer, topics.mergeInput, 'x')).rejects.toThrow(AUTHORIZATION);
    await expect(consumeAll(indexer, topic, 'dragnet-indexer', 1)).rejects.toThrow(AUTHORIZATION);
    // deduplicator: writes changes; cannot read the dead letters.
    const deduplicator = serviceClient('deduplicator');
    await produce(deduplicator, topics.changes, 'change');
    await expect(consumeAll(deduplicator, topics.deadLetter, 'dragnet-deduplicator', 1)).rejects.toThrow(
      AUTHORIZATION,
    );
    // enricher: writes canonical only.
    const enricher = serviceClient('enricher');
    await produce(enricher, topics.mergeInput, 'enrichment result');
    await expect(produce(enricher, topics.changes, 'x')).rejects.toThrow(AUTHORIZATION);
    // api: no Kafka access at all.
    await expect(produce(serviceClient('api'), topics.mergeInput, 'x')).rejects.toThrow(AUTHORIZATION);
    // operator: reads dead letters in its own groups; cannot delete topics.
    const operator = serviceClient('operator');
    expect((await consumeAll(operator, topics.deadLetter, uniqueName('dragnet-cli-dlq'), 1)).length).toBe(1);
    const operatorAdmin = operator.admin();
    await operatorAdmin.connect();
    try {
      await expect(operatorAdmin.deleteTopics({ topics: [topic], timeout: 5_000 })).rejects.toThrow();
    } finally {
      await operatorAdmin.disconnect();
    }
    // Several partitions: no order between them.
    expect((await consumeAll(admin, topic, uniqueName('dragnet-cli-check'), 2)).sort()).toEqual([
      'after rotation',
      'b genuine',
    ]);
  });
});
