import { numberOption } from '../args.js';
import { defineCommand } from '../command.js';

export const setupCommand = defineCommand({
  name: 'setup',
  summary: 'create topics (from infra/partners.json) and the index',
  usage: '[--partitions N]',
  options: {
    partitions: {
      type: 'string',
      placeholder: 'N',
      description: 'partitions per internal topic (default 6)',
    },
  },
  needs: ['kafka', 'elasticsearch'],
  async run({ values }, context) {
    const { setup } = await import('../setup.js');
    await setup(
      context,
      values.partitions ? { partitions: numberOption('partitions', values.partitions, 6) } : {},
    );
    return 0;
  },
});
