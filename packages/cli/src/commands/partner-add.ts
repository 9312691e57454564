import { requiredOption } from '../args.js';
import { defineCommand } from '../command.js';
import { PARTNER_ID_OPTION } from '../option-specs.js';

export const partnerAddCommand = defineCommand({
  name: 'partner add',
  summary:
    'register a partner: topics, SCRAM credential, ACLs; prints its client settings and one-time password',
  usage: '--id ID --format FORMAT [--default-tlp amber] [--name NAME] [--trust 0.5]',
  options: {
    ...PARTNER_ID_OPTION,
    format: {
      type: 'string',
      placeholder: 'FORMAT',
      description: `stix, misp, avro, text, or JSON such as '{"type":"csv","valueColumn":0}'`,
    },
    'default-tlp': {
      type: 'string',
      placeholder: 'TLP',
      description: 'TLP of records that carry none (default amber)',
    },
    name: {
      type: 'string',
      placeholder: 'NAME',
      description: "the partner's display name (default: the id)",
    },
    trust: {
      type: 'string',
      placeholder: '0..1',
      description: 'how much Dragnet trusts its word, an input of the score (default 0.5)',
    },
  },
  needs: ['kafka'],
  async run({ values }, context) {
    const perimeter = await import('../perimeter.js');
    const id = perimeter.partnerIdOption('partner add', values.id);
    const format = perimeter.parseFormatArgument(requiredOption('partner add', 'format', values.format));
    const { defaultTlp, trust } = perimeter.partnerAddSettings({
      defaultTlp: values['default-tlp'],
      trust: values.trust,
    });
    const credentials = await perimeter.addPartner(
      context.kafka(),
      perimeter.kafkaToolsFromEnv(context.config),
      perimeter.partnersFilePath(context.config),
      { id, format, defaultTlp, name: values.name, trust },
      context.names,
    );
    perimeter.printClientSettings(credentials, context.config);
    return 0;
  },
});
