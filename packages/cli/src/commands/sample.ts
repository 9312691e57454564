import { defineCommand } from '../command.js';

export const sampleCommand = defineCommand({
  name: 'sample',
  summary: 'the indexed indicator with the most partners',
  usage: '',
  options: {},
  needs: ['elasticsearch'],
  async run(_input, context) {
    const { sample } = await import('../pipeline-status.js');
    await sample(context);
    return 0;
  },
});
