/**
 * The failover tests' handle on the cluster topology of the local stack
 * (`stack.sh up --cluster`, infra/local/cluster.sh): which process is which
 * node, kill -9 of one, and `up` again to restart what is down.
 */
import { execFile } from 'node:child_process';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { promisify } from 'node:util';
import { REPO_ROOT, type TestKafka } from '@dragnet/test-kit';

const run = promisify(execFile);

export const CLUSTER_DIR = process.env.DRAGNET_STACK_DIR ?? join(REPO_ROOT, '.stack-cluster');

export type NodeKind = 'kafka' | 'elasticsearch' | 'redis';

const PID_FILES: Record<NodeKind, string> = {
  kafka: 'kafka.pid',
  elasticsearch: 'es.pid',
  redis: 'redis.pid',
};

export function nodePid(kind: NodeKind, node: number): number {
  return Number(readFileSync(join(CLUSTER_DIR, `${kind}-${node}`, PID_FILES[kind]), 'utf8').trim());
}

const alive = (pid: number) => {
  try {
    process.kill(pid, 0);
    return true;
  } catch {
    return false;
  }
};

/** kill -9 of one node; resolves once the process is gone. */
export async function killNode(kind: NodeKind, node: number): Promise<void> {
  await stopNode(kind, node, 'SIGKILL', 15_000);
}

/**
 * Sends `signal` to one node and resolves once the process is gone. SIGTERM is
 * an operator's restart: a broker hands its leaderships over first (controlled
 * shutdown), which takes seconds.
 */
export async function stopNode(
  kind: NodeKind,
  node: number,
  signal: NodeJS.Signals,
  timeoutMs: number,
): Promise<void> {
  const pid = nodePid(kind, node);
  process.kill(pid, signal);
  const deadline = Date.now() + timeoutMs;
  while (alive(pid)) {
    if (Date.now() > deadline) throw new Error(`${kind}-${node} (pid ${pid}) survived ${signal}`);
    await new Promise((resolve) => setTimeout(resolve, 100));
  }
}

/** `stack.sh up --cluster`: starts whatever is down and waits until the whole cluster is healthy. */
export async function restartMissing(): Promise<void> {
  await run('bash', [join(REPO_ROOT, 'infra/local/stack.sh'), 'up', '--cluster'], {
    cwd: REPO_ROOT,
    env: process.env,
    maxBuffer: 10 * 1024 * 1024,
    timeout: 600_000,
  });
}

/** The node number of `dragnet-cluster-<n>`, Elasticsearch's node name in the cluster topology. */
export const esNodeNumber = (name: string): number =>
  Number(/^dragnet-cluster-(\d+)$/.exec(name)?.[1] ?? 'NaN');

/** Java's `String.hashCode` (UTF-16 code units, 32-bit overflow), as the broker computes it. */
export function javaStringHash(text: string): number {
  let hash = 0;
  for (let index = 0; index < text.length; index++) hash = (Math.imul(31, hash) + text.charCodeAt(index)) | 0;
  return hash;
}

/**
 * The broker coordinating `groupId`: the leader of its `__consumer_offsets`
 * partition, `abs(hash) % partitions` as Kafka's GroupCoordinator picks it —
 * computed here, not asked of the client library whose handling of a moved
 * coordinator is under test.
 */
export async function groupCoordinator(kafka: TestKafka, groupId: string): Promise<number> {
  const admin = kafka.admin();
  await admin.connect();
  try {
    const { topics } = await admin.fetchTopicMetadata({ topics: ['__consumer_offsets'] });
    const partitions = topics[0]!.partitions;
    const wanted = (javaStringHash(groupId) & 0x7fffffff) % partitions.length;
    return partitions.find((partition) => partition.partitionId === wanted)!.leader;
  } finally {
    await admin.disconnect();
  }
}
