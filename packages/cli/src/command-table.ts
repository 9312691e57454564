import type { Command } from './command.js';
import { apiKeyCreateCommand } from './commands/api-key-create.js';
import { demoSummaryCommand } from './commands/demo-summary.js';
import { dlqListCommand } from './commands/dlq-list.js';
import { dlqRedriveCommand } from './commands/dlq-redrive.js';
import { dlqShowCommand } from './commands/dlq-show.js';
import { feedGenerateCommand } from './commands/feed-generate.js';
import { feedPushCommand } from './commands/feed-push.js';
import { jobsFailedCommand } from './commands/jobs-failed.js';
import { jobsRetryCommand } from './commands/jobs-retry.js';
import { kibanaSetupCommand } from './commands/kibana-setup.js';
import { lookupCommand } from './commands/lookup.js';
import { maintenanceSweepCommand } from './commands/maintenance-sweep.js';
import { partnerAddCommand } from './commands/partner-add.js';
import { partnerListCommand } from './commands/partner-list.js';
import { partnerRevokeCommand } from './commands/partner-revoke.js';
import { partnerRotateCommand } from './commands/partner-rotate.js';
import { perimeterApplyCommand } from './commands/perimeter-apply.js';
import { sampleCommand } from './commands/sample.js';
import { searchCommand } from './commands/search.js';
import { setupCommand } from './commands/setup.js';
import { statusCommand } from './commands/status.js';
import { downCommand, psCommand, upCommand } from './commands/supervisor.js';
import { taxiiCollectionsCommand, taxiiPollCommand } from './commands/taxii.js';
import { warninglistsReloadCommand } from './commands/warninglists-reload.js';

/** Every `dragnet` command, in the order `dragnet --help` lists them. A new command: one file, one line here. */
export const COMMANDS: readonly Command[] = [
  setupCommand,
  feedPushCommand,
  feedGenerateCommand,
  statusCommand,
  sampleCommand,
  demoSummaryCommand,
  dlqListCommand,
  dlqShowCommand,
  dlqRedriveCommand,
  jobsFailedCommand,
  jobsRetryCommand,
  maintenanceSweepCommand,
  warninglistsReloadCommand,
  lookupCommand,
  searchCommand,
  apiKeyCreateCommand,
  partnerAddCommand,
  partnerRotateCommand,
  partnerRevokeCommand,
  partnerListCommand,
  perimeterApplyCommand,
  kibanaSetupCommand,
  taxiiCollectionsCommand,
  taxiiPollCommand,
  upCommand,
  downCommand,
  psCommand,
];
