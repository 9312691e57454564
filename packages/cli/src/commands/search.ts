import { numberOption, tlpOption } from '../args.js';
import { defineCommand } from '../command.js';
import { JSON_OPTION, MAX_TLP_OPTION } from '../option-specs.js';

export const searchCommand = defineCommand({
  name: 'search',
  summary: 'query-string search, newest first',
  usage: 'QUERY [--size 20] [--cursor C] [--json] [--max-tlp red]',
  options: {
    size: { type: 'string', placeholder: 'N', description: 'indicators per page (default 20)' },
    cursor: {
      type: 'string',
      placeholder: 'C',
      description: 'the next page, as the previous page printed it',
    },
    ...JSON_OPTION,
    ...MAX_TLP_OPTION,
  },
  needs: ['elasticsearch'],
  async run({ values, positionals }, context) {
    const [{ searchIndex }, { parseTlpLevel }] = await Promise.all([
      import('../lookups.js'),
      import('@dragnet/lookup'),
    ]);
    return searchIndex(context, positionals.join(' '), {
      json: values.json ?? false,
      size: numberOption('size', values.size, 20),
      cursor: values.cursor,
      maxTlp: tlpOption(values['max-tlp'], 'red', parseTlpLevel),
    });
  },
});
