import { spawn } from 'node:child_process';
import { mkdirSync, openSync } from 'node:fs';
import { join, resolve } from 'node:path';
import { dragnetServices, formatReports, inspect, isAlive, readState, waitReady } from './inspect.js';
import { superviseUntilSignal } from './run.js';

/** What `dragnet up`, `down` and `ps` do (packages/cli/src/commands/up.ts, down.ts, ps.ts). */
const say = (line: string) => process.stderr.write(`${line}\n`);

/** The margin past the services' own SIGTERM deadline before SIGKILL. */
const STOP_MARGIN_MS = 5_000;

export async function startSupervised(options: {
  runDir: string;
  runtime: 'dist' | 'tsx';
  timeoutSeconds: number;
  foreground: boolean;
  /** The checkout the services run from (default: the working directory). */
  root?: string;
  /** The services' own SIGTERM deadline (their SHUTDOWN_TIMEOUT_MS). */
  shutdownTimeoutMs: number;
  /** The environment the services are started with (the CLI's own: connection settings, secrets files). */
  env: NodeJS.ProcessEnv;
}): Promise<number> {
  const stopDeadlineMs = () => options.shutdownTimeoutMs + STOP_MARGIN_MS;
  const runDir = resolve(options.runDir);
  const root = resolve(options.root ?? process.cwd());
  const { services, skipped } = dragnetServices(root, options.runtime, options.env);
  if (options.foreground) {
    const log = (line: string) => say(`${new Date().toISOString()} ${line}`);
    await superviseUntilSignal({ runDir, services, stopDeadlineMs: stopDeadlineMs(), onEvent: log });
    return 0;
  }
  const running = readState(runDir);
  if (running) {
    say(
      `already up (supervisor pid ${running.pid}); \`dragnet ps\` lists the services, \`dragnet down\` stops them`,
    );
    return 0;
  }
  for (const line of skipped) say(`not started: ${line}`);
  mkdirSync(runDir, { recursive: true });
  const out = openSync(join(runDir, 'supervisor.log'), 'a');
  const entry = process.argv[1]!;
  const child = spawn(
    process.execPath,
    [...process.execArgv, entry, 'up', '--foreground', '--run-dir', runDir, '--runtime', options.runtime],
    { detached: true, stdio: ['ignore', out, out], cwd: root },
  );
  child.unref();
  say(`starting ${services.map((service) => service.name).join(', ')} (logs in ${join(runDir, 'logs')})`);
  const waiting = await waitReady(runDir, options.timeoutSeconds * 1_000);
  const state = readState(runDir);
  if (state) console.log(formatReports(await inspect(state)));
  if (waiting.length > 0) {
    say(
      `not ready after ${options.timeoutSeconds} s: ${waiting.join(', ')} — see ${join(runDir, 'logs')} (the stack up? \`pnpm stack:up\`); they keep retrying, \`dragnet down\` stops them`,
    );
    return 1;
  }
  say('all ready; `dragnet ps` lists them, `dragnet down` stops them');
  return 0;
}

export async function stopSupervised(runDirOption: string): Promise<number> {
  const runDir = resolve(runDirOption);
  const state = readState(runDir);
  if (!state) {
    say(`nothing is up in ${runDir}`);
    return 0;
  }
  process.kill(state.pid, 'SIGTERM');
  const deadline = Date.now() + state.stopDeadlineMs + 5_000;
  while (isAlive(state.pid) && Date.now() < deadline) await new Promise((r) => setTimeout(r, 200));
  if (isAlive(state.pid)) {
    say(
      `the supervisor (pid ${state.pid}) did not stop within ${state.stopDeadlineMs} ms; see ${join(runDir, 'supervisor.log')}`,
    );
    return 1;
  }
  say(`stopped ${state.children.map((child) => child.name).join(', ')}`);
  return 0;
}

export async function listSupervised(runDirOption: string): Promise<number> {
  const runDir = resolve(runDirOption);
  const state = readState(runDir);
  if (!state) {
    say(`nothing is up in ${runDir}: \`dragnet up\` starts the services`);
    return 1;
  }
  console.log(formatReports(await inspect(state)));
  return 0;
}
