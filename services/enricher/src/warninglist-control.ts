import { CONTROL_COMMANDS } from '@dragnet/contracts';
import { WarninglistStore } from '@dragnet/enrichment';
import { createKeyStore, redisEndpointFromConfig } from '@dragnet/redis';
import type { ServiceContext } from '@dragnet/runtime';
import type { EnricherConfig } from './config.js';

/**
 * The warninglist control job: loads the MISP warninglists once per process
 * and reloads them on SIGHUP or on the operators' command
 * (`dragnet warninglists reload`, a message on the namespace's control
 * channel). A reload that fails keeps the old lists. Returns the store the
 * enrichment providers read.
 */
export async function startWarninglistControl(
  context: ServiceContext,
  config: EnricherConfig,
): Promise<WarninglistStore> {
  const { logger, names, shutdown } = context;
  const warninglists = await WarninglistStore.open(config.WARNINGLISTS_DIR, config.WARNINGLIST_ACTIONS);
  const describeLists = (trigger: string) => {
    const { lists, errors } = warninglists.index;
    logger.info({ trigger, lists: lists.length, loadErrors: errors.length }, 'warninglists loaded');
    for (const error of errors) logger.warn({ error }, 'warninglist skipped');
  };
  describeLists('start');
  const reload = (trigger: string) =>
    warninglists
      .reload(config.WARNINGLISTS_DIR, config.WARNINGLIST_ACTIONS)
      .then(() => describeLists(trigger))
      .catch((error: unknown) =>
        logger.error({ err: error, trigger }, 'warninglist reload failed; kept the old lists'),
      );
  const onHangup = () => void reload('SIGHUP');
  process.on('SIGHUP', onHangup);
  // A connection of its own: subscribing puts it in subscriber mode.
  const control = createKeyStore({
    ...redisEndpointFromConfig(config),
    connectionName: 'dragnet-enricher-control',
  });
  await control.subscribe(names.redisKeys.control, (message) => {
    if (message === CONTROL_COMMANDS.reloadWarninglists) void reload('command');
  });
  shutdown.register('control', async () => {
    process.off('SIGHUP', onHangup);
    control.disconnect();
  });
  return warninglists;
}
