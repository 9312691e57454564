import { loadConfig } from '@dragnet/config';
import { loadRegistry } from '@dragnet/partners';
import { runService, startConsumeStage } from '@dragnet/runtime';
import { normalizerEnv } from './config.js';
import { createNormalizerHandler } from './handler.js';

const config = loadConfig(normalizerEnv);

await runService({
  name: 'normalizer',
  config,
  async start(context) {
    const registry = loadRegistry(config.PARTNERS_FILE);
    return startConsumeStage(context, {
      stage: 'normalizer',
      config,
      groupId: context.names.groups.normalizer,
      topics: registry.partners.map((partner) => partner.topic),
      concurrency: config.NORMALIZER_CONCURRENCY,
      handler: ({ producer }) =>
        createNormalizerHandler({ registry, names: context.names, producer, metrics: context.metrics }),
      deadLetters: {
        partnerOf: (record) => registry.byTopic.get(record.topic)?.id ?? null,
        // A message the normalizer could not process at all is a reject its partner should see too.
        copyTo: (record) => registry.byTopic.get(record.topic)?.rejectsTopic ?? null,
      },
    });
  },
});
