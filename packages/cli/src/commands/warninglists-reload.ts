import { defineCommand } from '../command.js';

export const warninglistsReloadCommand = defineCommand({
  name: 'warninglists reload',
  summary: 'every enricher reloads WARNINGLISTS_DIR (as on SIGHUP); exit 1 when none listens',
  usage: '',
  options: {},
  needs: ['redis'],
  async run(_input, context) {
    const { reloadWarninglists } = await import('../enrichment-jobs.js');
    return reloadWarninglists(context);
  },
});
