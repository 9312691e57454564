import { defineCommand } from '../command.js';

export const jobsFailedCommand = defineCommand({
  name: 'jobs failed',
  summary: 'failed enrichment jobs with their last error',
  usage: '',
  options: {},
  needs: ['redis'],
  async run(_input, context) {
    const { listFailedJobs } = await import('../enrichment-jobs.js');
    await listFailedJobs(context);
    return 0;
  },
});
