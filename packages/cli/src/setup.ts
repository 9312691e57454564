import { ensureAuditIndex, ensureIndicatorIndex, waitForElasticsearch } from '@dragnet/elasticsearch';
import { ensureTopics } from '@dragnet/kafka';
import { planTopics } from '@dragnet/partners';
import type { CliContext } from './context.js';

/**
 * Creates every topic from the partners registry (each partner's intake and
 * rejects topics, the internal ones), the indicator index and the API's audit
 * index (templates, indices, aliases). Idempotent.
 */
export async function setup(context: CliContext, args: { partitions?: number }): Promise<void> {
  const registry = context.registry();
  const plan = planTopics(registry, args.partitions);
  const result = await ensureTopics(
    context.kafka(),
    plan.map((topic) => ({ topic: topic.topic, partitions: topic.partitions, config: topic.config })),
    {
      durability: {
        replicationFactor: context.config.KAFKA_REPLICATION_FACTOR,
        minInsyncReplicas: context.config.KAFKA_MIN_INSYNC_REPLICAS,
      },
    },
  );
  if (result.durability.warning) console.warn(`warning: ${result.durability.warning}`);
  for (const topic of result.created) console.log(`topic created   ${topic}`);
  for (const topic of result.existing) console.log(`topic exists    ${topic}`);
  for (const topic of result.grown) console.log(`topic grown     ${topic}`);
  const elasticsearch = context.elasticsearch();
  await waitForElasticsearch(elasticsearch);
  await ensureIndicatorIndex(elasticsearch);
  console.log('index template, index and alias ready');
  await ensureAuditIndex(elasticsearch);
  console.log('audit index template, index and alias ready');
}
