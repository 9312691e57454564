// Kafka cluster health for `stack.sh status --cluster` (bash cannot speak SASL):
// prints "<brokers> <controller id> <partitions> <under-replicated> <offline>".
// Arguments: the bootstrap list; DRAGNET_PROBE_USER / DRAGNET_PROBE_PASSWORD_FILE: the admin (security on).
import { readFileSync } from 'node:fs';
import { createRequire } from 'node:module';

const require = createRequire(new URL('../../packages/kafka/package.json', import.meta.url));
const { Kafka, logLevel } = require('kafkajs');

const [brokers] = process.argv.slice(2);
const user = process.env.DRAGNET_PROBE_USER;
const kafka = new Kafka({
  brokers: brokers.split(','),
  clientId: 'dragnet-stack-probe',
  logLevel: logLevel.NOTHING,
  connectionTimeout: 3_000,
  retry: { retries: 1 },
  ...(user
    ? {
        sasl: {
          mechanism: 'scram-sha-512',
          username: user,
          password: readFileSync(process.env.DRAGNET_PROBE_PASSWORD_FILE, 'utf8').trim(),
        },
      }
    : {}),
});
const admin = kafka.admin();
await admin.connect();
try {
  const cluster = await admin.describeCluster();
  const topics = await admin.listTopics();
  const metadata = topics.length > 0 ? await admin.fetchTopicMetadata({ topics }) : { topics: [] };
  let partitions = 0;
  let under = 0;
  let offline = 0;
  for (const topic of metadata.topics)
    for (const partition of topic.partitions) {
      partitions++;
      if (partition.leader < 0) offline++;
      if (partition.isr.length < partition.replicas.length) under++;
    }
  console.log(`${cluster.brokers.length} ${cluster.controller} ${partitions} ${under} ${offline}`);
} finally {
  await admin.disconnect();
}
