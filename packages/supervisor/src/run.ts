import { rmSync } from 'node:fs';
import { join } from 'node:path';
import { STATE_FILE, Supervisor, type SupervisorOptions } from './supervisor.js';

/**
 * The supervisor process: starts every service and supervises them until
 * SIGTERM or SIGINT (`dragnet down`), then stops them within the deadline and
 * removes its state file.
 */
export async function superviseUntilSignal(options: SupervisorOptions): Promise<void> {
  const supervisor = new Supervisor(options);
  supervisor.start();
  await new Promise<void>((resolve) => {
    const stop = () => resolve();
    process.once('SIGTERM', stop);
    process.once('SIGINT', stop);
  });
  options.onEvent?.('stopping every service');
  await supervisor.stop();
  rmSync(join(options.runDir, STATE_FILE), { force: true });
}
