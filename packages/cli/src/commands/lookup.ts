import { tlpOption } from '../args.js';
import { defineCommand, UsageError } from '../command.js';
import { JSON_OPTION, MAX_TLP_OPTION } from '../option-specs.js';

export const lookupCommand = defineCommand({
  name: 'lookup',
  summary: 'do we know these? (defanged input welcome; exit 1 when nothing matched)',
  usage: 'VALUE… [--json] [--max-tlp red]',
  options: { ...JSON_OPTION, ...MAX_TLP_OPTION },
  needs: ['elasticsearch'],
  async run({ values, positionals }, context) {
    if (positionals.length === 0) throw new UsageError('lookup: give at least one VALUE');
    const [{ lookupValues }, { parseTlpLevel }] = await Promise.all([
      import('../lookups.js'),
      import('@dragnet/lookup'),
    ]);
    return lookupValues(context, positionals, {
      json: values.json ?? false,
      maxTlp: tlpOption(values['max-tlp'], 'red', parseTlpLevel),
    });
  },
});
