import type { EnrichmentTarget } from '@dragnet/contracts';
import { enrichmentJobId } from './catalog.js';
import type { JobQueue } from './job-queue.js';

/**
 * Schedules enrichment of `targets`, `batchSize` per job, each job under its
 * deterministic id (`enrichmentJobId`): a replayed batch adds no second job.
 * One round trip for all of them.
 */
export async function enqueueEnrichment(
  queue: JobQueue<'enrichment'>,
  targets: readonly EnrichmentTarget[],
  versions: Record<string, number>,
  batchSize: number,
): Promise<void> {
  if (targets.length === 0) return;
  const jobs = [];
  for (let start = 0; start < targets.length; start += batchSize) {
    const slice = targets.slice(start, start + batchSize);
    jobs.push({
      name: 'enrich' as const,
      data: { targets: slice, versions },
      options: { jobId: enrichmentJobId(slice, versions) },
    });
  }
  await queue.addMany(jobs);
}
