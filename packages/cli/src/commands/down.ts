import { defineCommand } from '../command.js';
import { runDirOf } from './up.js';

export const downCommand = defineCommand({
  name: 'down',
  summary: 'stop the services `dragnet up` started, within their shutdown deadline',
  usage: '[--run-dir DIR]',
  options: {
    'run-dir': { type: 'string', placeholder: 'DIR', description: 'as given to `dragnet up`' },
  },
  needs: [],
  async run({ values }, context) {
    const { stopSupervised } = await import('@dragnet/supervisor');
    return stopSupervised(runDirOf(values['run-dir'], context.config));
  },
});
