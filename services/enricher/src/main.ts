import { loadConfig } from '@dragnet/config';
import { providerVersions } from '@dragnet/enrichment';
import { createBatchProducer, kafkaFromConfig } from '@dragnet/kafka';
import { runService } from '@dragnet/runtime';
import { enricherEnv } from './config.js';
import { startEnrichmentJob } from './enrichment-job.js';
import { startMaintenanceJob } from './maintenance-job.js';
import { startWarninglistControl } from './warninglist-control.js';

const config = loadConfig(enricherEnv);

// Three jobs in one process: warninglist control, enrichment, maintenance. They share one producer,
// registered first so that it closes last, after every job that sends with it has stopped.
await runService({
  name: 'enricher',
  config,
  async start(context) {
    const producer = await createBatchProducer(kafkaFromConfig(config, 'enricher', context.logger));
    context.shutdown.register('producer', () => producer.disconnect());
    const versions = providerVersions(config.ENRICHMENT_EPOCH);
    const warninglists = await startWarninglistControl(context, config);
    const enrichment = await startEnrichmentJob(context, config, { producer, warninglists, versions });
    await startMaintenanceJob(context, config, { producer, versions });
    return enrichment;
  },
});
