/**
 * How many copies of every record Dragnet's topics keep, and how many must
 * have it before a write counts (`acks=all` waits for `min.insync.replicas`).
 * With one copy, `acks=all` means "the leader has it": a broker's disk is the
 * only one. With 3 replicas and 2 in sync, one broker may die without losing
 * an acknowledged record or refusing writes.
 */
export interface TopicDurability {
  replicationFactor: number;
  minInsyncReplicas: number;
  /** Set when the topics cannot survive a broker's loss (a single-node stack): for the operator to read at setup. */
  warning?: string;
}

/** Explicit settings (`KAFKA_REPLICATION_FACTOR`, `KAFKA_MIN_INSYNC_REPLICAS`); unset ones are derived. */
export interface DurabilityRequest {
  replicationFactor?: number | undefined;
  minInsyncReplicas?: number | undefined;
}

export const PREFERRED_REPLICATION_FACTOR = 3;

/**
 * The durability for a cluster of `brokers`: 3 replicas with 2 in sync when it
 * has 3 brokers or more; otherwise as many replicas as brokers and 1 in sync
 * (with a warning). Throws when an explicit setting cannot be met: topics the
 * cluster cannot place, or a `min.insync.replicas` above the replica count
 * (every write would be refused).
 */
export function topicDurability(brokers: number, request: DurabilityRequest = {}): TopicDurability {
  const replicationFactor =
    request.replicationFactor ?? Math.max(1, Math.min(PREFERRED_REPLICATION_FACTOR, brokers));
  if (replicationFactor > brokers)
    throw new Error(
      `replication factor ${replicationFactor} needs as many brokers; the cluster has ${brokers}`,
    );
  const minInsyncReplicas = request.minInsyncReplicas ?? (replicationFactor >= 3 ? replicationFactor - 1 : 1);
  if (minInsyncReplicas > replicationFactor)
    throw new Error(
      `min.insync.replicas ${minInsyncReplicas} is above the replication factor ${replicationFactor}: every write would be refused`,
    );
  const durability: TopicDurability = { replicationFactor, minInsyncReplicas };
  if (replicationFactor === 1)
    durability.warning = `topics get 1 replica (${brokers} broker${brokers === 1 ? '' : 's'}): losing that broker's disk loses every record on it; production needs 3 brokers (docs/operations.md, "Running a cluster")`;
  else if (minInsyncReplicas === 1)
    durability.warning = `min.insync.replicas is 1: an acknowledged record may exist on one broker only until the others catch up`;
  return durability;
}

/** The topic-level configs that carry a durability (a spec's own config wins). */
export function durabilityConfig(durability: TopicDurability): Record<string, string> {
  return {
    'min.insync.replicas': String(durability.minInsyncReplicas),
    // An out-of-sync replica never becomes leader: no silent loss of acknowledged records.
    'unclean.leader.election.enable': 'false',
  };
}
