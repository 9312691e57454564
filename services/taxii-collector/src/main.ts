import { loadConfig } from '@dragnet/config';
import { createBatchProducer, kafkaFromConfig } from '@dragnet/kafka';
import { loadRegistry } from '@dragnet/partners';
import { createKeyStore, redisEndpointFromConfig } from '@dragnet/redis';
import { runService } from '@dragnet/runtime';
import { isTaxiiPartner, pollForever } from './collector.js';
import { taxiiCollectorEnv } from './config.js';
import { settingsFromConfig } from './index.js';
import { createCollectorMetrics } from './metrics.js';
import { redisPositionStore } from './position-store.js';

const config = loadConfig(taxiiCollectorEnv);

await runService({
  name: 'taxii-collector',
  config,
  async start({ logger, metrics, shutdown }) {
    const sources = loadRegistry(config.PARTNERS_FILE).partners.filter(isTaxiiPartner);
    const producer = await createBatchProducer(kafkaFromConfig(config, 'taxii-collector', logger));
    shutdown.register('producer', () => producer.disconnect());
    const redis = createKeyStore({
      ...redisEndpointFromConfig(config),
      connectionName: 'dragnet-taxii-collector',
    });
    shutdown.register('redis', async () => void redis.disconnect());
    const deps = {
      producer,
      store: redisPositionStore(redis),
      settings: settingsFromConfig(config),
      metrics: createCollectorMetrics(metrics.registry),
    };
    const stop = new AbortController();
    const loops = sources.map((partner) => pollForever(deps, partner, logger, stop.signal));
    // Registered last, so it runs first: the page in flight is written and its position stored before the clients close.
    shutdown.register('pollers', async () => {
      stop.abort();
      await Promise.allSettled(loops);
    });
    logger.info({ sources: sources.map((partner) => partner.id) }, 'collecting TAXII sources');
    return { isReady: () => !stop.signal.aborted };
  },
});
