import { type ChildProcess, spawn } from 'node:child_process';
import { createWriteStream, mkdirSync } from 'node:fs';
import { dirname, join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';

export const REPO_ROOT = resolve(dirname(fileURLToPath(import.meta.url)), '../../..');
export const SHARED_DIR = resolve(REPO_ROOT, '..', 'shared');

export interface ServiceProcess {
  name: string;
  child: ChildProcess;
  logFile: string;
  /** Resolves with the exit code (or signal) once the process ended. */
  exited: Promise<number | string>;
  kill(signal?: NodeJS.Signals): Promise<number | string>;
}

/**
 * Starts a service as its own OS process (as operators run it), logs to a
 * file under `.stack/test-logs`, so fault tests can `kill -9` it for real.
 */
export interface StartOptions {
  /**
   * `tsx` runs the TypeScript sources (tests: no build step); `dist` runs the
   * esbuild bundle operators deploy (`pnpm build` first) — what benchmarks
   * measure, since tsx adds its own compile cost and memory.
   */
  runtime?: 'tsx' | 'dist';
  /** Extra `node` flags, e.g. `--cpu-prof --cpu-prof-dir=…`. */
  nodeArgs?: readonly string[];
}

export function startService(
  name: string,
  env: Record<string, string>,
  instance = 0,
  options: StartOptions = {},
): ServiceProcess {
  const logDir = join(REPO_ROOT, '.stack', 'test-logs');
  mkdirSync(logDir, { recursive: true });
  const logFile = join(logDir, `${env.DRAGNET_NAMESPACE ?? 'default'}-${name}-${instance}-${Date.now()}.log`);
  const out = createWriteStream(logFile);
  const child = spawn(
    process.execPath,
    options.runtime === 'dist'
      ? [...(options.nodeArgs ?? []), join(REPO_ROOT, 'services', name, 'dist', 'main.js')]
      : [...(options.nodeArgs ?? []), '--import', 'tsx', join(REPO_ROOT, 'services', name, 'src', 'main.ts')],
    {
      cwd: REPO_ROOT,
      env: { ...process.env, METRICS_PORT: '0', LOG_LEVEL: 'info', ...env },
      stdio: ['ignore', 'pipe', 'pipe'],
    },
  );
  child.stdout?.pipe(out);
  child.stderr?.pipe(out);
  const exited = new Promise<number | string>((resolveExit) => {
    child.once('exit', (code, signal) => resolveExit(code ?? signal ?? 'unknown'));
  });
  return {
    name,
    child,
    logFile,
    exited,
    async kill(signal: NodeJS.Signals = 'SIGTERM') {
      if (child.exitCode === null && child.signalCode === null) child.kill(signal);
      return exited;
    },
  };
}
