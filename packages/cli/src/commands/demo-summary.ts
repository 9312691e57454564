import { defineCommand } from '../command.js';

export const demoSummaryCommand = defineCommand({
  name: 'demo summary',
  summary: 'what got indexed, merged, rejected and enriched, in tables, and commands to try',
  usage: '[--api-url URL] [--api-key-file FILE] [--cli CMD]',
  options: {
    'api-url': {
      type: 'string',
      placeholder: 'URL',
      description: 'the lookup API the printed curl asks (default http://127.0.0.1:8080)',
    },
    'api-key-file': {
      type: 'string',
      placeholder: 'FILE',
      description: 'the API key file the printed curl reads (default .stack/run/demo-api-key)',
    },
    cli: {
      type: 'string',
      placeholder: 'CMD',
      description:
        'how the printed commands start the CLI (default "pnpm dragnet", with DRAGNET_NAMESPACE when set)',
    },
  },
  needs: ['kafka', 'elasticsearch'],
  async run({ values }, context) {
    const [{ gatherDemoFacts }, { formatDemoSummary }] = await Promise.all([
      import('../demo-facts.js'),
      import('../demo-summary.js'),
    ]);
    const facts = await gatherDemoFacts(context, {
      ...(values.cli ? { cli: values.cli } : {}),
      apiUrl: (values['api-url'] ?? 'http://127.0.0.1:8080').replace(/\/+$/, ''),
      apiKeyFile: values['api-key-file'] ?? '.stack/run/demo-api-key',
    });
    process.stdout.write(formatDemoSummary(facts));
    return 0;
  },
});
