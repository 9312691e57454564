import { defineCommand, UsageError } from '../command.js';

export const dlqShowCommand = defineCommand({
  name: 'dlq show',
  summary: 'one dead letter with its original bytes (control bytes escaped)',
  usage: 'PARTITION:OFFSET',
  options: {},
  needs: ['kafka'],
  async run({ positionals }, context) {
    const [position] = positionals;
    if (!position) throw new UsageError('dlq show: give PARTITION:OFFSET (see `dragnet dlq list`)');
    const { dlqTopics, showDeadLetter } = await import('../dead-letters.js');
    await showDeadLetter(context, position, dlqTopics(context.names));
    return 0;
  },
});
