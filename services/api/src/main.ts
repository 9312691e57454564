import { loadConfig } from '@dragnet/config';
import { AUDIT_INDEX, INDEX, type Names } from '@dragnet/contracts';
import { elasticsearchFromConfig, ensureAuditIndex, waitForElasticsearch } from '@dragnet/elasticsearch';
import { createBatchProducer, kafkaFromConfig } from '@dragnet/kafka';
import type { Logger } from '@dragnet/logger';
import { loadRegistry } from '@dragnet/partners';
import { createKeyStore, type KeyStore, redisEndpointFromConfig } from '@dragnet/redis';
import { runService, type ShutdownRegistry } from '@dragnet/runtime';
import { Counter, type Registry } from 'prom-client';
import { ApiKeySource, type ReloadResult } from './api-key-source.js';
import { AuditTrail } from './audit-trail.js';
import { apiEnv } from './config.js';
import { RateLimiter } from './rate-limit.js';
import { startApiServer } from './server.js';
import { checkInboxPartners, loadTaxiiConfiguration, type TaxiiConfiguration } from './taxii/collections.js';
import { createInboxPort, type InboxPort } from './taxii/inbox-port.js';

const config = loadConfig(apiEnv);
let reported: (result: ReloadResult) => void = () => undefined;
let keys: ApiKeySource;
let taxii: TaxiiConfiguration;
try {
  keys = new ApiKeySource({ json: config.API_KEYS, file: config.API_KEYS_FILE }, (result) =>
    reported(result),
  );
  taxii = loadTaxiiConfiguration(config.TAXII_COLLECTIONS_FILE);
  if (taxii.collections.some((collection) => collection.inbox))
    checkInboxPartners(taxii, loadRegistry(config.PARTNERS_FILE).partners);
} catch (caught) {
  // Same contract as loadConfig: one line naming the problem, exit 78 (configuration error).
  process.stderr.write(`api: invalid configuration: ${(caught as Error).message}\n`);
  process.exit(78);
}

/** Re-reads the keys on change and on SIGHUP, counted and logged; stops on shutdown. */
function watchKeys(logger: Logger, registry: Registry, shutdown: ShutdownRegistry): void {
  const reloads = new Counter({
    name: 'dragnet_api_key_reloads_total',
    help: 'Re-reads of API_KEYS_FILE by result (a failed one keeps the keys in force)',
    labelNames: ['result'],
    registers: [registry],
  });
  reported = (result) => {
    reloads.inc({ result: result.ok ? 'ok' : 'failed' });
    if (result.ok) logger.info({ keys: result.keys }, 'API keys reloaded');
    else logger.error({ problem: result.error }, 'API keys file invalid; the keys in force are unchanged');
  };
  keys.watch();
  const onHangup = () => void keys.reload();
  process.on('SIGHUP', onHangup);
  shutdown.register('api-keys', () => {
    process.off('SIGHUP', onHangup);
    keys.close();
  });
}

/** The inbox's Kafka producer and status store, only when a collection is an inbox: otherwise the API uses no Kafka. */
async function startInbox(
  context: { logger: Logger; shutdown: ShutdownRegistry; names: Names },
  store: KeyStore,
): Promise<InboxPort | undefined> {
  if (!taxii.collections.some((collection) => collection.inbox)) return undefined;
  const kafka = kafkaFromConfig(config, 'api', context.logger);
  const producer = await createBatchProducer(kafka);
  context.shutdown.register('inbox-producer', () => producer.disconnect());
  return createInboxPort({
    kafka,
    producer,
    store,
    names: context.names,
    statusTtlMs: config.TAXII_STATUS_TTL_MS,
  });
}

await runService({
  name: 'api',
  config,
  servers: ['elasticsearch', 'redis'], // Kafka only for an inbox, which connects on its own
  async start({ logger, metrics, shutdown, names }) {
    watchKeys(logger, metrics.registry, shutdown);
    const elasticsearch = elasticsearchFromConfig(config);
    shutdown.register('elasticsearch', () => elasticsearch.close());
    const redis = createKeyStore({ ...redisEndpointFromConfig(config), connectionName: 'dragnet-api' });
    shutdown.register('redis', async () => {
      await redis.close();
    });
    await Promise.all([waitForElasticsearch(elasticsearch), redis.waitUntilReachable()]);
    await ensureAuditIndex(elasticsearch);
    const inbox = await startInbox({ logger, shutdown, names }, redis);
    const audit = new AuditTrail({
      client: elasticsearch,
      alias: AUDIT_INDEX.alias,
      logger,
      registry: metrics.registry,
      maxBufferedRecords: config.API_AUDIT_MAX_QUEUED_RECORDS,
      maxBufferedBytes: config.API_AUDIT_MAX_QUEUED_BYTES,
    });
    // Closed after the HTTP server (registered before it): the last answers' records are written.
    shutdown.register('audit', () => audit.close());
    const server = await startApiServer(
      {
        elasticsearch,
        index: INDEX.alias,
        keys,
        audit,
        rateLimiter: new RateLimiter(redis),
        logger,
        registry: metrics.registry,
        maxBodyBytes: config.API_MAX_BODY_BYTES,
        observablesPerRateUnit: config.API_OBSERVABLES_PER_RATE_UNIT,
        searchTimeoutMs: config.API_SEARCH_TIMEOUT_MS,
        taxii: {
          configuration: taxii,
          settleMs: config.TAXII_SETTLE_MS,
          maxContentLength: config.API_MAX_BODY_BYTES,
          inbox,
        },
      },
      { port: config.API_PORT, host: config.API_HOST },
    );
    // Registered last, so it closes first: stop taking requests before the clients go.
    shutdown.register('http', () => server.close());
    logger.info({ port: server.port }, 'lookup API listening');
    // Not ready while the audit queue is full: a load balancer sends clients elsewhere.
    return { isReady: () => audit.accepting() };
  },
});
