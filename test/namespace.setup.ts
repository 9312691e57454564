import { randomBytes } from 'node:crypto';

// Runs before each end-to-end test file is imported: every file gets its own
// topics, consumer groups, index, queues and Redis keys (see @dragnet/contracts).
process.env.DRAGNET_NAMESPACE = `e2e-${Date.now().toString(36)}-${randomBytes(2).toString('hex')}`;
