import { readFileSync } from 'node:fs';

/** CPU seconds and resident memory of a process, from /proc (Linux). */
export function sampleProcess(pid: number): { cpuSeconds: number; rssMb: number; peakRssMb: number } | null {
  try {
    const stat = readFileSync(`/proc/${pid}/stat`, 'utf8');
    const fields = stat.slice(stat.lastIndexOf(')') + 2).split(' ');
    const ticks = Number(fields[11]) + Number(fields[12]);
    const status = readFileSync(`/proc/${pid}/status`, 'utf8');
    const kb = (name: string) => Number(new RegExp(`^${name}:\\s+(\\d+)`, 'm').exec(status)?.[1] ?? 0);
    return { cpuSeconds: ticks / 100, rssMb: kb('VmRSS') / 1024, peakRssMb: kb('VmHWM') / 1024 };
  } catch {
    return null;
  }
}

/** Tracks peak RSS and the RSS in the first and last minute of each watched process. */
export class ResourceWatcher {
  private readonly peaks = new Map<
    string,
    {
      pid: number;
      peakRssMb: number;
      cpuSeconds: number;
      /** CPU the process had used before it was watched (a server's whole life so far): not the benchmark's. */
      cpuBefore: number;
      firstMinuteRss: number[];
      rss: { at: number; mb: number }[];
    }
  >();
  private timer: NodeJS.Timeout | undefined;
  private readonly started = Date.now();

  watch(name: string, pid: number): void {
    const cpuBefore = sampleProcess(pid)?.cpuSeconds ?? 0;
    this.peaks.set(name, {
      pid,
      peakRssMb: 0,
      cpuSeconds: cpuBefore,
      cpuBefore,
      firstMinuteRss: [],
      rss: [],
    });
  }

  start(intervalMs = 1_000): void {
    this.timer = setInterval(() => this.sample(), intervalMs);
    this.timer.unref();
  }

  sample(): void {
    for (const entry of this.peaks.values()) {
      const sample = sampleProcess(entry.pid);
      if (!sample) continue;
      entry.peakRssMb = Math.max(entry.peakRssMb, sample.rssMb, sample.peakRssMb);
      entry.cpuSeconds = Math.max(entry.cpuSeconds, sample.cpuSeconds);
      entry.rss.push({ at: Date.now() - this.started, mb: sample.rssMb });
    }
  }

  stop() {
    clearInterval(this.timer);
    this.sample();
    return [...this.peaks].map(([name, entry]) => {
      const end = entry.rss.at(-1)?.at ?? 0;
      const mean = (points: { mb: number }[]) =>
        points.length ? points.reduce((sum, p) => sum + p.mb, 0) / points.length : 0;
      return {
        name,
        cpuSeconds: entry.cpuSeconds - entry.cpuBefore,
        peakRssMb: entry.peakRssMb,
        firstMinuteRssMb: mean(entry.rss.filter((p) => p.at <= 60_000)),
        lastMinuteRssMb: mean(entry.rss.filter((p) => p.at >= end - 60_000)),
      };
    });
  }
}
