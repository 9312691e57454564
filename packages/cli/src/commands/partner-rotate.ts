import { defineCommand } from '../command.js';
import { PARTNER_ID_OPTION } from '../option-specs.js';

export const partnerRotateCommand = defineCommand({
  name: 'partner rotate',
  summary: 'a new partner password (the old one stops working at once)',
  usage: '--id ID',
  options: PARTNER_ID_OPTION,
  needs: ['kafka'],
  async run({ values }, context) {
    const perimeter = await import('../perimeter.js');
    const id = perimeter.partnerIdOption('partner rotate', values.id);
    const password = await perimeter.rotatePartner(perimeter.kafkaToolsFromEnv(context.config), id);
    perimeter.printClientSettings(perimeter.partnerCredentials(id, password, context.names), context.config);
    return 0;
  },
});
