import { readFileSync } from 'node:fs';
import { eventually, type ServiceProcess } from '@dragnet/test-kit';

/**
 * The ops port a service picked (the test kit starts services with
 * METRICS_PORT=0): read from its `ops server listening` log line.
 */
export async function opsPort(service: ServiceProcess, timeoutMs = 60_000): Promise<number> {
  const port = await eventually(
    async () => {
      for (const line of readFileSync(service.logFile, 'utf8').split('\n')) {
        if (!line.includes('ops server listening')) continue;
        const entry = JSON.parse(line) as { metricsPort?: unknown };
        if (typeof entry.metricsPort === 'number') return entry.metricsPort;
      }
      return null;
    },
    (found) => found !== null,
    { timeoutMs, what: `${service.name}'s ops server port in ${service.logFile}` },
  );
  return port!;
}

export interface Readiness {
  status: number;
  body: string;
}

export async function readiness(port: number): Promise<Readiness> {
  const response = await fetch(`http://127.0.0.1:${port}/readyz`, { signal: AbortSignal.timeout(5_000) });
  return { status: response.status, body: await response.text() };
}

/** Log lines of a service that contain `text`. */
export function logLines(service: ServiceProcess, text: string): string[] {
  return readFileSync(service.logFile, 'utf8')
    .split('\n')
    .filter((line) => line.includes(text));
}

/** Peak resident memory of a running process, from /proc (Linux), in MiB. */
export function peakRssMiB(pid: number): number {
  const status = readFileSync(`/proc/${pid}/status`, 'utf8');
  const match = /^VmHWM:\s+(\d+) kB/m.exec(status);
  if (!match) throw new Error(`no VmHWM for pid ${pid}`);
  return Number(match[1]) / 1024;
}
