import { indexOverview } from '@dragnet/elasticsearch';
import type { CliContext } from './context.js';
import { readDeadLetters } from './dead-letters.js';
import { type DemoFacts, exampleFromDocument, summarizeRejects } from './demo-summary.js';

/** `dragnet demo summary`, the I/O half: the index's counts and the dead letters, read at once. */
export async function gatherDemoFacts(
  context: Pick<CliContext, 'elasticsearch' | 'kafka' | 'names'>,
  tryThis: Omit<DemoFacts['tryThis'], 'cli'> & { cli?: string },
): Promise<DemoFacts> {
  const { names } = context;
  // The printed commands must read the same namespace as the demo, pasted into a fresh shell.
  const cli = tryThis.cli ?? `${names.namespace ? `DRAGNET_NAMESPACE=${names.namespace} ` : ''}pnpm dragnet`;
  const [overview, letters] = await Promise.all([
    indexOverview(context.elasticsearch(), names.index.alias),
    readDeadLetters(context.kafka(), names.topics.deadLetter),
  ]);
  const { mostReported, ...counts } = overview;
  return {
    ...counts,
    example: exampleFromDocument(mostReported),
    rejects: summarizeRejects(letters),
    tryThis: { ...tryThis, cli },
  };
}
