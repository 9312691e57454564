/**
 * The failover tests' handle on the cluster topology of the local stack
 * (`stack.sh up --cluster`, infra/local/cluster.sh): which process is which
 * node, kill -9 of one, and `up` again to restart what is down.
 */
import { execFile } from 'node:child_process';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { promisify } from 'node:util';
import { REPO_ROOT } from '@dragnet/test-kit';

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
  const pid = nodePid(kind, node);
  process.kill(pid, 'SIGKILL');
  const deadline = Date.now() + 15_000;
  while (alive(pid)) {
    if (Date.now() > deadline) throw new Error(`${kind}-${node} (pid ${pid}) survived SIGKILL`);
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
