import { defineCommand } from '../command.js';
import { PARTNER_ID_OPTION } from '../option-specs.js';

export const partnerRevokeCommand = defineCommand({
  name: 'partner revoke',
  summary: "delete a partner's credential and ACLs (its topic and history stay)",
  usage: '--id ID',
  options: PARTNER_ID_OPTION,
  needs: ['kafka'],
  async run({ values }, context) {
    const perimeter = await import('../perimeter.js');
    const id = perimeter.partnerIdOption('partner revoke', values.id);
    await perimeter.revokePartner(context.kafka(), perimeter.kafkaToolsFromEnv(context.config), id);
    console.log(`revoked ${perimeter.partnerPrincipal(id)}: credential and ACLs deleted`);
    return 0;
  },
});
