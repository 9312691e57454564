/** What a topic should look like; `ensureTopics` creates it when missing and never shrinks or rewrites one. */
export interface TopicSpec {
  topic: string;
  partitions: number;
  replicationFactor?: number;
  /** Topic-level configs, e.g. `retention.ms`, `cleanup.policy`. */
  config?: Record<string, string>;
}
