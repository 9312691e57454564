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
    const { redriveDeadLetters } = await import('../dead-letters.js');
    await redriveDeadLetters(
      context,
      {
        ...(values.code ? { code: values.code } : {}),
        ...(values.stage ? { stage: values.stage } : {}),
        ...(values.partner ? { partner: values.partner } : {}),
        ...(values.position ? { positions: values.position } : {}),
      },
      { again: values.again ?? false },
    );
    return 0;
  },
});
