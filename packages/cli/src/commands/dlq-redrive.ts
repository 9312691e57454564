import { defineCommand } from '../command.js';
import { DEAD_LETTER_FILTER_OPTIONS } from '../option-specs.js';

export const dlqRedriveCommand = defineCommand({
  name: 'dlq redrive',
  summary: 're-drive letters to the stage that rejected them, once per letter',
  usage: '[--code C] [--stage S] [--partner P] [--position P:O …] [--again]',
  options: {
    ...DEAD_LETTER_FILTER_OPTIONS,
    position: {
      type: 'string',
      multiple: true,
      placeholder: 'P:O',
      description: 'only the letter at this position',
    },
    again: { type: 'boolean', description: 're-drive letters re-driven before too' },
  },
  needs: ['kafka'],
  async run({ values }, context) {
    const { deadLetterFilter, dlqTopics, redriveDeadLetters } = await import('../dead-letters.js');
    await redriveDeadLetters(context, deadLetterFilter(values), {
      again: values.again ?? false,
      topics: dlqTopics(context.names),
    });
    return 0;
  },
});
