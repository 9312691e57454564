import { numberOption, requiredOption } from '../args.js';
import { defineCommand, UsageError } from '../command.js';

export const feedPushCommand = defineCommand({
  name: 'feed push',
  summary: "push feed files to a partner's topic",
  usage: '--partner P FILE…',
  options: {
    partner: { type: 'string', placeholder: 'P', description: 'the partner id (infra/partners.json)' },
    'lines-per-message': {
      type: 'string',
      placeholder: 'N',
      description: 'lines per Kafka message for line-oriented formats (default 5000)',
    },
  },
  needs: ['kafka'],
  async run({ values, positionals }, context) {
    const partner = requiredOption('feed push', 'partner', values.partner);
    if (positionals.length === 0) throw new UsageError('feed push: give at least one FILE');
    const { pushFeed } = await import('../feeds.js');
    await pushFeed(context, {
      partner,
      files: positionals,
      linesPerMessage: numberOption('lines-per-message', values['lines-per-message'], 5_000),
    });
    return 0;
  },
});
