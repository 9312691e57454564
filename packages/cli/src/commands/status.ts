import { numberOption } from '../args.js';
import { defineCommand } from '../command.js';

export const statusCommand = defineCommand({
  name: 'status',
  summary: 'consumer lag, queue depths, indexed documents',
  usage: '[--wait [--timeout S]]',
  options: {
    wait: { type: 'boolean', description: 'first wait until every stage has caught up (progress on stderr)' },
    timeout: {
      type: 'string',
      placeholder: 'S',
      description: 'give up waiting after S seconds (default 600)',
    },
  },
  needs: ['kafka', 'redis', 'elasticsearch'],
  async run({ values }, context) {
    const { status, waitUntilIdle } = await import('../pipeline-status.js');
    if (values.wait) await waitUntilIdle(context, numberOption('timeout', values.timeout, 600) * 1_000);
    await status(context);
    return 0;
  },
});
