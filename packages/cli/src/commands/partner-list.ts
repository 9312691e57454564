import { defineCommand } from '../command.js';

export const partnerListCommand = defineCommand({
  name: 'partner list',
  summary: "each partner's topics, ACLs and last write",
  usage: '',
  options: {},
  needs: ['kafka'],
  async run(_input, context) {
    const perimeter = await import('../perimeter.js');
    for (const line of await perimeter.listPartners(
      context.kafka(),
      perimeter.partnersFilePath(context.config),
      context.names,
    ))
      console.log(line);
    return 0;
  },
});
