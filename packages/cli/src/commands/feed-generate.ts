import { dateOption, numberOption } from '../args.js';
import { defineCommand } from '../command.js';

export const feedGenerateCommand = defineCommand({
  name: 'feed generate',
  summary: 'synthetic feed, one CSV per partner, deterministic by seed',
  usage:
    '--out-dir DIR [--count 100000] [--duplicates 0.3] [--seed 42] [--base-date YYYY-MM-DD] [--partners A,B]',
  options: {
    'out-dir': { type: 'string', placeholder: 'DIR', description: 'where the CSV files go (default .)' },
    count: { type: 'string', placeholder: 'N', description: 'indicators in all (default 100000)' },
    duplicates: {
      type: 'string',
      placeholder: 'R',
      description: 'share reported by several partners (default 0.3)',
    },
    seed: { type: 'string', placeholder: 'N', description: 'random seed (default 42)' },
    'base-date': {
      type: 'string',
      placeholder: 'YYYY-MM-DD',
      description: 'first_seen dates count from here (default today)',
    },
    partners: {
      type: 'string',
      placeholder: 'A,B',
      description: 'partner ids (default synthetic-a,synthetic-b,synthetic-c)',
    },
  },
  needs: [],
  async run({ values }) {
    const { generateFeed } = await import('../feeds.js');
    await generateFeed({
      count: numberOption('count', values.count, 100_000),
      duplicates: numberOption('duplicates', values.duplicates, 0.3),
      seed: numberOption('seed', values.seed, 42),
      partners: (values.partners ?? 'synthetic-a,synthetic-b,synthetic-c').split(','),
      outDir: values['out-dir'] ?? '.',
      ...(values['base-date'] ? { baseTime: dateOption('base-date', values['base-date']) } : {}),
    });
    return 0;
  },
});
