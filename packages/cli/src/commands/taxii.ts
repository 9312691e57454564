import { requiredOption } from '../args.js';
import { defineCommand, UsageError } from '../command.js';
import type { CliContext } from '../context.js';

const PARTNER_OPTION = {
  partner: {
    type: 'string',
    placeholder: 'P',
    description: 'a partner with a `taxii` source (infra/partners.json)',
  },
} as const;

async function taxiiPartner(context: CliContext, command: string, id: string) {
  const collector = await import('@dragnet/taxii-collector');
  const partner = context.registry().byId.get(id);
  if (!partner) throw new UsageError(`${command}: no partner ${JSON.stringify(id)} in the registry`);
  if (!collector.isTaxiiPartner(partner))
    throw new UsageError(`${command}: partner ${id} has no taxii source in the registry`);
  return { collector, partner };
}

export const taxiiCollectionsCommand = defineCommand({
  name: 'taxii collections',
  summary: "the collections of a partner's TAXII 2.1 server",
  usage: '--partner P',
  options: PARTNER_OPTION,
  needs: [],
  async run({ values }, context) {
    const id = requiredOption('taxii collections', 'partner', values.partner);
    const { collector, partner } = await taxiiPartner(context, 'taxii collections', id);
    const settings = collector.DEFAULT_COLLECTOR_SETTINGS;
    const result = await collector.listCollections(partner, {
      maxBytes: settings.limits.maxBytes,
      timeoutMs: settings.timeoutMs,
    });
    if ('error' in result) {
      console.error(result.error);
      return 1;
    }
    for (const entry of result) {
      const access = `${entry.canRead ? 'read' : '-'}/${entry.canWrite ? 'write' : '-'}`;
      const configured = entry.id === partner.taxii.collectionId ? '  (collected)' : '';
      console.log(`${entry.id}  ${access}  ${JSON.stringify(entry.title)}${configured}`);
    }
    return 0;
  },
});

export const taxiiPollCommand = defineCommand({
  name: 'taxii poll',
  summary: "collect a partner's TAXII source once, from its stored position to the end",
  usage: '--partner P --once',
  options: {
    ...PARTNER_OPTION,
    once: {
      type: 'boolean',
      description: 'one walk, then exit (the taxii-collector service polls continuously)',
    },
  },
  needs: ['kafka', 'redis'],
  async run({ values }, context) {
    const id = requiredOption('taxii poll', 'partner', values.partner);
    if (!values.once)
      throw new UsageError('taxii poll: give --once (continuous polling is the taxii-collector service)');
    const { collector, partner } = await taxiiPartner(context, 'taxii poll', id);
    const { createBatchProducer } = await import('@dragnet/kafka');
    const producer = await createBatchProducer(context.kafka());
    try {
      const deps = {
        producer,
        store: collector.redisPositionStore(context.redis()),
        settings: collector.DEFAULT_COLLECTOR_SETTINGS,
      };
      const outcome = await collector.walk(deps, partner, partner.taxii.pageLimit);
      if (outcome.kind === 'done' || outcome.kind === 'stopped') {
        console.log(
          `taxii poll ${id}: ${outcome.objects} objects in ${outcome.pages} pages written to ${partner.topic}`,
        );
        return 0;
      }
      console.error(outcome.kind === 'auth' ? outcome.message : `taxii source ${id}: ${outcome.message}`);
      return 1;
    } finally {
      await producer.disconnect();
    }
  },
});
