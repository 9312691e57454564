import { defineCommand } from '../command.js';

export const kibanaSetupCommand = defineCommand({
  name: 'kibana setup',
  summary: 'import infra/kibana saved objects into KIBANA_URL (waits for Kibana to start)',
  usage: '',
  options: {},
  needs: [],
  async run(_args, context) {
    const { kibanaSetup } = await import('../kibana-setup.js');
    return kibanaSetup({ kibanaUrl: context.config.KIBANA_URL });
  },
});
