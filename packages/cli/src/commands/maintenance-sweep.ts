import { defineCommand } from '../command.js';

export const maintenanceSweepCommand = defineCommand({
  name: 'maintenance sweep',
  summary: 're-score, mark expiry, re-enrich outdated indicators now',
  usage: '',
  options: {},
  needs: ['redis'],
  async run(_input, context) {
    const { requestSweep } = await import('../enrichment-jobs.js');
    await requestSweep(context);
    return 0;
  },
});
