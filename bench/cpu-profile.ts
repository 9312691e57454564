import { readdirSync, readFileSync } from 'node:fs';
import { join, relative } from 'node:path';

interface ProfileNode {
  id: number;
  callFrame: { functionName: string; url: string; lineNumber: number };
  hitCount?: number;
}

interface CpuProfile {
  nodes: ProfileNode[];
  startTime: number;
  endTime: number;
  samples: number[];
  timeDeltas: number[];
}

export interface ProfileSummary {
  file: string;
  sampledMs: number;
  /** Functions by self time, the biggest first. */
  top: { function: string; location: string; selfMs: number; share: number }[];
}

/**
 * Self time per function of a V8 `.cpuprofile` (what `node --cpu-prof`
 * writes at exit): where the process spent its CPU, without a viewer.
 * Idle and GC are kept as their own rows — both matter for a pipeline stage.
 */
export function summarizeProfile(file: string, root: string, limit = 12): ProfileSummary {
  const profile = JSON.parse(readFileSync(file, 'utf8')) as CpuProfile;
  const byId = new Map(profile.nodes.map((node) => [node.id, node]));
  const selfMicros = new Map<string, number>();
  let total = 0;
  profile.samples.forEach((nodeId, index) => {
    const delta = profile.timeDeltas[index] ?? 0;
    const node = byId.get(nodeId);
    if (!node) return;
    const { functionName, url, lineNumber } = node.callFrame;
    const where = url ? `${relative(root, url.replace(/^file:\/\//, ''))}:${lineNumber + 1}` : '';
    const key = `${functionName || '(anonymous)'}\t${where}`;
    selfMicros.set(key, (selfMicros.get(key) ?? 0) + delta);
    total += delta;
  });
  const top = [...selfMicros]
    .sort((a, b) => b[1] - a[1])
    .slice(0, limit)
    .map(([key, micros]) => {
      const [name = '', location = ''] = key.split('\t');
      return {
        function: name,
        location,
        selfMs: Math.round(micros / 1_000),
        share: Number((micros / Math.max(1, total)).toFixed(3)),
      };
    });
  return { file: relative(root, file), sampledMs: Math.round(total / 1_000), top };
}

export function summarizeProfiles(dir: string, root: string): ProfileSummary[] {
  return readdirSync(dir)
    .filter((name) => name.endsWith('.cpuprofile'))
    .map((name) => summarizeProfile(join(dir, name), root));
}
