import { defineCommand } from '../command.js';
import { runDirOf } from './up.js';

export const psCommand = defineCommand({
  name: 'ps',
  summary: 'the supervised services: pid, health, records/s, memory, restarts',
  usage: '[--run-dir DIR]',
  options: {
    'run-dir': { type: 'string', placeholder: 'DIR', description: 'as given to `dragnet up`' },
  },
  needs: [],
  async run({ values }, context) {
    const { listSupervised } = await import('@dragnet/supervisor');
    return listSupervised(runDirOf(values['run-dir'], context.config));
  },
});
