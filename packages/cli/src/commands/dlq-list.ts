import { defineCommand } from '../command.js';
import { DEAD_LETTER_FILTER_OPTIONS } from '../option-specs.js';

export const dlqListCommand = defineCommand({
  name: 'dlq list',
  summary: 'dead letters, one line each (position, stage, code, source, reason)',
  usage: '[--code C] [--stage S] [--partner P]',
  options: DEAD_LETTER_FILTER_OPTIONS,
  needs: ['kafka'],
  async run({ values }, context) {
    const { deadLetterFilter, dlqTopics, listDeadLetters } = await import('../dead-letters.js');
    await listDeadLetters(context, deadLetterFilter(values), dlqTopics(context.names));
    return 0;
  },
});
