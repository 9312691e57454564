import { defineCommand } from '../command.js';

/** Where `dragnet up` keeps its state and logs (`--run-dir`, else `DRAGNET_RUN_DIR`). */
export const runDirOf = (option: string | undefined, config: { DRAGNET_RUN_DIR: string }): string =>
  option ?? config.DRAGNET_RUN_DIR;

export const upCommand = defineCommand({
  name: 'up',
  summary: 'start every service as a supervised process (logs in one folder, restarted on crash)',
  usage: '[--runtime dist|tsx] [--run-dir DIR] [--timeout S]',
  options: {
    runtime: {
      type: 'string',
      placeholder: 'R',
      description: 'dist: the bundles of `pnpm build` (default); tsx: the TypeScript sources',
    },
    'run-dir': {
      type: 'string',
      placeholder: 'DIR',
      description: 'state and logs/<service>.log (default .stack/run, or DRAGNET_RUN_DIR)',
    },
    timeout: {
      type: 'string',
      placeholder: 'S',
      description: 'wait at most S seconds for /readyz (default 120)',
    },
    foreground: {
      type: 'boolean',
      description: 'supervise in this process until SIGTERM (what `up` starts)',
    },
  },
  needs: [],
  async run({ values }, context) {
    const { startSupervised } = await import('@dragnet/supervisor');
    return startSupervised({
      runDir: runDirOf(values['run-dir'], context.config),
      root: context.config.DRAGNET_HOME,
      shutdownTimeoutMs: context.config.SHUTDOWN_TIMEOUT_MS,
      // The services get the CLI's environment: connection settings, secrets files, namespace.
      env: context.environment,
      runtime: values.runtime === 'tsx' ? 'tsx' : 'dist',
      timeoutSeconds: Number(values.timeout ?? 120),
      foreground: values.foreground === true,
    });
  },
});
