/**
 * A fault schedule run against one pipeline, each step judged by the
 * independent checker (test/checker: expected ids from the OASIS stix2
 * library, expected values from the feed generator — no Dragnet code in the
 * oracle). Steps use disjoint observables and the check is cumulative, so a
 * later fault that damages an earlier step's documents shows too.
 *
 * Steps: a crash (self-SIGKILL) at each fault point of the three stages;
 * three kill -9 of the deduplicator in a row while data flows; a
 * deduplicator paused (SIGSTOP) past its session while a second instance
 * takes over, then resumed; partitions added mid-run to partner topics and
 * the canonical topic.
 */
import { readFileSync } from 'node:fs';
import { CONSUMER_GROUPS, INDEX, TOPICS } from '@dragnet/contracts';
import { addPartitions } from '@dragnet/kafka';
import { FAULT_POINTS } from '@dragnet/runtime';
import {
  eventually,
  type TestKafka as Kafka,
  requireStack,
  type ServiceProcess,
  startService,
  testElasticsearch,
  testKafka,
} from '@dragnet/test-kit';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { type CheckResult, checkIndex, describeCheck, isClean, readIndexedFacts } from './checker/checker.js';
import { type ExpectedReport, generateFeeds, loadVectors, toMessages, type Vector } from './checker/feeds.js';
import {
  createPipelineResources,
  dropPipelineResources,
  pushMessages,
  registry,
  type ServiceName,
  serviceEnv,
  waitForIdle,
} from './pipeline-kit.js';

const kafka = testKafka();
const elasticsearch = testElasticsearch();
const sleep = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));

const PARTNERS = ['synthetic-a', 'synthetic-b', 'synthetic-c'];
/** Short sessions: a killed or paused worker's partitions move after 6 s, not 30 s. */
const SESSION_TIMEOUT_MS = 6_000;
// No fault point unless a step arms one (empty disarms whatever the runner's shell had).
const ENV = serviceEnv({ KAFKA_SESSION_TIMEOUT_MS: String(SESSION_TIMEOUT_MS), DRAGNET_FAULT_POINT: '' });

const vectors = loadVectors();
let nextVector = 0;
const expected: ExpectedReport[] = [];
const processes: ServiceProcess[] = [];
const table: { step: string; result: CheckResult }[] = [];

function start(name: ServiceName, instance = 0, extraEnv: Record<string, string> = {}): ServiceProcess {
  const process = startService(name, { ...ENV, ...extraEnv }, instance);
  processes.push(process);
  return process;
}

const alive = (process: ServiceProcess) =>
  process.child.exitCode === null && process.child.signalCode === null;
const running = (name: ServiceName) => processes.filter((process) => process.name === name && alive(process));

function takeVectors(count: number): Vector[] {
  const slice = vectors.slice(nextVector, nextVector + count);
  if (slice.length < count) throw new Error(`vectors.json has too few vectors (${vectors.length})`);
  nextVector += count;
  return slice;
}

/** Pushes `slice` as `partners` report it (100 lines per message) and records what the index must then show. */
async function push(slice: readonly Vector[], seed: number, partners = PARTNERS): Promise<number> {
  const feeds = generateFeeds(slice, partners, seed);
  for (const [partner, lines] of feeds.lines)
    if (lines.length > 0) await pushMessages(kafka, partner, toMessages(lines, 100));
  expected.push(...feeds.expected);
  return feeds.expected.length;
}

/**
 * Waits until every stage is idle, then checks. A reconcile record can be in
 * flight between two idle probes, so an unclean result is checked again
 * after another idle wait, a few times: a real loss stays.
 */
async function settleAndCheck(step: string): Promise<CheckResult> {
  let result: CheckResult | undefined;
  for (let attempt = 1; attempt <= 4; attempt++) {
    await waitForIdle(kafka, PARTNERS, 150_000);
    await sleep(1_000);
    await waitForIdle(kafka, PARTNERS, 60_000);
    result = checkIndex(expected, await readIndexedFacts(elasticsearch, INDEX.alias));
    if (isClean(result)) break;
    await sleep(3_000);
  }
  table.push({ step, result: result! });
  console.log(describeCheck(step, result!));
  return result!;
}

function expectClean(step: string, result: CheckResult): void {
  expect(
    { lost: result.lost, extra: result.extra, wrongValue: result.wrongValue },
    describeCheck(step, result),
  ).toEqual({
    lost: 0,
    extra: 0,
    wrongValue: 0,
  });
}

async function groupMembers(groupId: string): Promise<{ state: string; members: number }> {
  const admin = kafka.admin();
  await admin.connect();
  try {
    const [group] = (await admin.describeGroups([groupId])).groups;
    return { state: group?.state ?? 'unknown', members: group?.members.length ?? 0 };
  } finally {
    await admin.disconnect();
  }
}

/** Records of `topic` the group has not committed yet (a partition without a commit counts from its start). */
async function groupLag(admin: ReturnType<Kafka['admin']>, groupId: string, topic: string): Promise<number> {
  const [committed] = await admin.fetchOffsets({ groupId, topics: [topic] });
  let lag = 0;
  for (const high of await admin.fetchTopicOffsets(topic)) {
    const offset = committed?.partitions.find((entry) => entry.partition === high.partition)?.offset ?? '-1';
    lag += Number(high.high) - (Number(offset) < 0 ? Number(high.low) : Number(offset));
  }
  return lag;
}

/** Polls the group's lag on `topic` every 20 ms until `enough` accepts it (`timeoutMs` at most); returns the last lag. */
async function watchLag(
  groupId: string,
  topic: string,
  enough: (lag: number) => boolean,
  timeoutMs = 60_000,
): Promise<number> {
  const admin = kafka.admin();
  await admin.connect();
  try {
    const deadline = Date.now() + timeoutMs;
    for (;;) {
      const lag = await groupLag(admin, groupId, topic);
      if (enough(lag) || Date.now() > deadline) return lag;
      await sleep(20);
    }
  } finally {
    await admin.disconnect();
  }
}

const withTimeout = <T>(promise: Promise<T>, ms: number, what: string): Promise<T> =>
  Promise.race([
    promise,
    sleep(ms).then(() => {
      throw new Error(`timed out after ${ms} ms: ${what}`);
    }),
  ]);

describe('fault schedule, checked by the independent checker', () => {
  beforeAll(async () => {
    await requireStack();
    await dropPipelineResources(kafka, elasticsearch);
    await createPipelineResources(kafka, elasticsearch);
    for (const name of ['normalizer', 'deduplicator', 'indexer'] as const) start(name);
  });

  afterAll(async () => {
    for (const process of processes) if (alive(process)) process.child.kill('SIGCONT');
    await Promise.all(processes.map((process) => process.kill('SIGTERM')));
    await dropPipelineResources(kafka, elasticsearch);
    console.log(
      [
        'fault → reports pushed (cumulative) / lost / extra / wrong value',
        ...table.map(
          ({ step, result }) =>
            `${step} → ${result.pushed} / ${result.lost} / ${result.extra} / ${result.wrongValue}`,
        ),
      ].join('\n'),
    );
  });

  const crashes: [ServiceName, string][] = [
    ['normalizer', FAULT_POINTS.normalizerBeforeProduce],
    ['normalizer', FAULT_POINTS.normalizerAfterProduce],
    ['deduplicator', FAULT_POINTS.deduplicatorAfterProduce],
    ['deduplicator', FAULT_POINTS.deduplicatorAfterSave],
    ['indexer', FAULT_POINTS.indexerAfterBulk],
  ];
  crashes.forEach(([service, point], index) => {
    it(`kill -9 at ${point}`, async () => {
      // The stage's normal worker stops first, so the crashing one takes the new data.
      await Promise.all(running(service).map((process) => process.kill('SIGTERM')));
      await push(takeVectors(500), 100 + index);
      const crashing = start(service, 9, { DRAGNET_FAULT_POINT: `${point}@2` });
      expect(await withTimeout(crashing.exited, 120_000, `${service} reaching ${point} twice`)).toBe(
        'SIGKILL',
      );
      // It died by its own hand at that point, not of something else.
      await eventually(
        async () => readFileSync(crashing.logFile, 'utf8'),
        (log) => log.includes(`fault point ${point}@2: SIGKILL`),
        { timeoutMs: 5_000, what: `${point} in ${crashing.logFile}` },
      );
      start(service);
      expectClean(point, await settleAndCheck(point));
    });
  });

  it('three kill -9 of the deduplicator in a row, a few seconds apart, while data flows', async () => {
    for (let kill = 0; kill < 3; kill++) {
      await push(takeVectors(350), 200 + kill);
      await sleep(2_500);
      const [victim] = running('deduplicator');
      expect(victim, 'a deduplicator is running').toBeDefined();
      expect(await victim!.kill('SIGKILL')).toBe('SIGKILL');
      start('deduplicator');
    }
    expectClean('deduplicator kill -9 ×3', await settleAndCheck('deduplicator kill -9 ×3'));
  });

  it('a deduplicator paused past its session while a second takes over, then resumed, overwrites nothing', async () => {
    start('deduplicator', 1);
    await eventually(
      () => groupMembers(CONSUMER_GROUPS.deduplicator),
      (group) => group.state === 'Stable' && group.members === 2,
      { timeoutMs: 60_000, intervalMs: 500, what: 'two deduplicators in the group' },
    );
    // Wave A from partners a and b; the zombie is paused while the group has it in hand.
    const slice = takeVectors(900);
    const zombie = running('deduplicator')[0]!;
    const watching = watchLag(CONSUMER_GROUPS.deduplicator, TOPICS.mergeInput, (lag) => lag >= 200);
    await push(slice, 300, ['synthetic-a', 'synthetic-b']);
    const lagAtPause = await watching;
    zombie.child.kill('SIGSTOP');
    console.log(`zombie paused with ${lagAtPause} canonical records not yet committed by the group`);
    expect(lagAtPause, 'the group had wave A in hand when the zombie was paused').toBeGreaterThan(0);
    await eventually(
      () => groupMembers(CONSUMER_GROUPS.deduplicator),
      (group) => group.state === 'Stable' && group.members === 1,
      { timeoutMs: 60_000, intervalMs: 500, what: 'the paused deduplicator leaving the group' },
    );
    // Wave B: partner c on the same observables, merged by the new owner while the zombie sleeps.
    await push(slice, 301, ['synthetic-c']);
    await waitForIdle(kafka, PARTNERS, 150_000);
    zombie.child.kill('SIGCONT');
    await sleep(SESSION_TIMEOUT_MS + 4_000);
    expect(alive(zombie), 'the resumed deduplicator is still running').toBe(true);
    const zombieLog = readFileSync(zombie.logFile, 'utf8');
    console.log(
      `zombie after SIGCONT: ${zombieLog.split('merge states changed under us').length - 1} refused state saves, ${zombieLog.split('"level":50').length - 1} error lines`,
    );
    expectClean(
      'SIGSTOP deduplicator past session, SIGCONT',
      await settleAndCheck('SIGSTOP deduplicator past session, SIGCONT'),
    );
  });

  it('partitions added mid-run to the partner topics and the canonical topic', async () => {
    const slice = takeVectors(800);
    const early = slice.slice(0, 400);
    await push(early, 400, ['synthetic-a', 'synthetic-b']);
    for (const partner of PARTNERS) await addPartitions(kafka, registry.byId.get(partner)!.topic, 6);
    await addPartitions(kafka, TOPICS.mergeInput, 6);
    await push(slice.slice(400), 401);
    // kafkajs notices new partitions on a metadata refresh (5 min by default) or a rebalance: measure.
    const partnerTopic = registry.byId.get('synthetic-a')!.topic;
    const unconsumed = await watchLag(CONSUMER_GROUPS.normalizer, partnerTopic, (lag) => lag === 0, 15_000);
    console.log(
      `15 s after adding partitions, without a rebalance: ${unconsumed} synthetic-a messages unconsumed`,
    );
    // Roll the normalizer (its producer still knows 3 canonical partitions) and scale the deduplicator out.
    const [oldNormalizer] = running('normalizer');
    start('normalizer', 1);
    start('deduplicator', 2);
    await oldNormalizer!.kill('SIGTERM');
    // The early observables again, from partner c: their keys now hash over 6 canonical partitions.
    await push(early, 402, ['synthetic-c']);
    const result = await settleAndCheck('partitions 3→6 (partner, canonical) mid-run');
    const admin = kafka.admin();
    await admin.connect();
    const onNewPartitions = (await admin.fetchTopicOffsets(TOPICS.mergeInput))
      .filter((entry) => entry.partition >= 3)
      .reduce((sum, entry) => sum + Number(entry.high), 0);
    await admin.disconnect();
    console.log(`${onNewPartitions} canonical records on the added partitions 3–5`);
    expect(onNewPartitions, 'keys moved to the added canonical partitions').toBeGreaterThan(0);
    expectClean('partitions 3→6 (partner, canonical) mid-run', result);
  });
});
