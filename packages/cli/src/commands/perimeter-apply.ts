import { defineCommand } from '../command.js';

export const perimeterApplyCommand = defineCommand({
  name: 'perimeter apply',
  summary: 'grant every service role its Kafka ACLs (idempotent)',
  usage: '',
  options: {},
  needs: ['kafka'],
  async run(_input, context) {
    const { applyServiceAcls } = await import('../perimeter.js');
    console.log(`granted ${await applyServiceAcls(context.kafka(), context.names)} service ACLs`);
    return 0;
  },
});
