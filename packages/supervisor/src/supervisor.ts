import { type ChildProcess, spawn } from 'node:child_process';
import { createWriteStream, mkdirSync, renameSync, type WriteStream, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { DEFAULT_RESTART_POLICY, nextAttempt, type RestartPolicy, restartDelayMs } from './backoff.js';

/** One supervised service: how to start it. */
export interface ServiceSpec {
  name: string;
  command: string;
  args: readonly string[];
  env: Readonly<Record<string, string>>;
}

export interface SupervisorOptions {
  /** Holds `state.json` and `logs/<service>.log`. */
  runDir: string;
  services: readonly ServiceSpec[];
  /** How long a child may take to exit after SIGTERM before it gets SIGKILL (its SHUTDOWN_TIMEOUT_MS plus a margin). */
  stopDeadlineMs: number;
  policy?: RestartPolicy;
  /** One line per start, crash and stop (the supervisor's own log). */
  onEvent?: (line: string) => void;
}

/** What `dragnet ps` and `dragnet down` read: written on every change. */
export interface SupervisorState {
  pid: number;
  startedAt: string;
  stopDeadlineMs: number;
  stopping: boolean;
  children: ChildState[];
}

export interface ChildState {
  name: string;
  pid: number | null;
  /** The ops server's port, read from the child's "ops server listening" log line (it binds port 0). */
  metricsPort: number | null;
  startedAt: string | null;
  restarts: number;
  lastExit: string | null;
  logFile: string;
}

export const STATE_FILE = 'state.json';

interface Supervised {
  spec: ServiceSpec;
  state: ChildState;
  child: ChildProcess | null;
  attempt: number;
  timer: NodeJS.Timeout | null;
  log: WriteStream;
}

/**
 * Runs every service as a child process, appends its output to one log file
 * per service, restarts a child that died with backoff, and stops them all
 * within a deadline.
 */
export class Supervisor {
  private readonly children: Supervised[];
  private stopping = false;
  private readonly startedAt = new Date().toISOString();
  private readonly policy: RestartPolicy;

  constructor(private readonly options: SupervisorOptions) {
    this.policy = options.policy ?? DEFAULT_RESTART_POLICY;
    mkdirSync(join(options.runDir, 'logs'), { recursive: true });
    this.children = options.services.map((spec) => {
      const logFile = join(options.runDir, 'logs', `${spec.name}.log`);
      return {
        spec,
        state: {
          name: spec.name,
          pid: null,
          metricsPort: null,
          startedAt: null,
          restarts: 0,
          lastExit: null,
          logFile,
        },
        child: null,
        attempt: 0,
        timer: null,
        log: createWriteStream(logFile, { flags: 'a' }),
      };
    });
  }

  start(): void {
    for (const supervised of this.children) this.spawn(supervised);
    this.save();
  }

  state(): SupervisorState {
    return {
      pid: process.pid,
      startedAt: this.startedAt,
      stopDeadlineMs: this.options.stopDeadlineMs,
      stopping: this.stopping,
      children: this.children.map((supervised) => ({ ...supervised.state })),
    };
  }

  /** SIGTERM to every child, SIGKILL to those still running at the deadline; resolves once all exited. */
  async stop(): Promise<void> {
    this.stopping = true;
    this.save();
    const running = this.children.filter((supervised) => {
      if (supervised.timer) clearTimeout(supervised.timer);
      return supervised.child !== null;
    });
    await Promise.all(running.map((supervised) => this.stopChild(supervised)));
    for (const supervised of this.children) supervised.log.end();
    this.save();
  }

  private async stopChild(supervised: Supervised): Promise<void> {
    const child = supervised.child;
    if (!child) return;
    const exited = new Promise<void>((resolve) => child.once('exit', () => resolve()));
    child.kill('SIGTERM');
    const deadline = setTimeout(() => {
      this.options.onEvent?.(`${supervised.spec.name}: still running at the stop deadline, SIGKILL`);
      child.kill('SIGKILL');
    }, this.options.stopDeadlineMs);
    await exited;
    clearTimeout(deadline);
  }

  private spawn(supervised: Supervised): void {
    const { spec, state } = supervised;
    const child = spawn(spec.command, [...spec.args], {
      env: { ...process.env, ...spec.env, METRICS_PORT: '0' },
      stdio: ['ignore', 'pipe', 'pipe'],
    });
    const started = Date.now();
    supervised.child = child;
    Object.assign(state, {
      pid: child.pid ?? null,
      metricsPort: null,
      startedAt: new Date(started).toISOString(),
    });
    let pending = '';
    child.stdout?.on('data', (chunk: Buffer) => {
      supervised.log.write(chunk);
      pending += chunk.toString('utf8');
      const lines = pending.split('\n');
      pending = lines.pop() ?? '';
      for (const line of lines) this.readLine(supervised, line);
    });
    child.stderr?.on('data', (chunk: Buffer) => supervised.log.write(chunk));
    child.once('error', (error) => this.options.onEvent?.(`${spec.name}: cannot start (${error.message})`));
    child.once('exit', (code, signal) => this.exited(supervised, code, signal, Date.now() - started));
    this.options.onEvent?.(`${spec.name}: started (pid ${child.pid})`);
  }

  /** The ops server's port, from the service's own JSON log line. */
  private readLine(supervised: Supervised, line: string): void {
    if (supervised.state.metricsPort !== null || !line.includes('ops server listening')) return;
    try {
      const port = (JSON.parse(line) as { metricsPort?: unknown }).metricsPort;
      if (typeof port === 'number') {
        supervised.state.metricsPort = port;
        this.save();
      }
    } catch {
      // Not a JSON line (a pretty log): the port stays unknown, `ps` says so.
    }
  }

  private exited(supervised: Supervised, code: number | null, signal: string | null, ranMs: number): void {
    const { state, spec } = supervised;
    supervised.child = null;
    state.pid = null;
    state.metricsPort = null;
    state.lastExit = signal ? `signal ${signal}` : `code ${code}`;
    if (this.stopping) {
      this.options.onEvent?.(`${spec.name}: stopped (${state.lastExit})`);
      this.save();
      return;
    }
    supervised.attempt = nextAttempt(supervised.attempt, ranMs, this.policy);
    const delay = restartDelayMs(Math.max(0, supervised.attempt - 1), this.policy);
    this.options.onEvent?.(
      `${spec.name}: exited (${state.lastExit}) after ${ranMs} ms; restart in ${delay} ms`,
    );
    state.restarts++;
    this.save();
    supervised.timer = setTimeout(() => {
      supervised.timer = null;
      if (!this.stopping) {
        this.spawn(supervised);
        this.save();
      }
    }, delay);
  }

  private save(): void {
    const file = join(this.options.runDir, STATE_FILE);
    writeFileSync(`${file}.tmp`, `${JSON.stringify(this.state(), null, 2)}\n`);
    renameSync(`${file}.tmp`, file);
  }
}
