import { defineCommand } from '../command.js';

export const jobsRetryCommand = defineCommand({
  name: 'jobs retry',
  summary: 're-drive failed enrichment jobs (all when none given)',
  usage: '[JOB_ID…]',
  options: {},
  needs: ['redis'],
  async run({ positionals }, context) {
    const { retryFailedJobs } = await import('../enrichment-jobs.js');
    await retryFailedJobs(context, positionals);
    return 0;
  },
});
