/**
 * The independent end-to-end checker: compares what was pushed (reports whose
 * canonical value and STIX id come from `vectors.json`, never from Dragnet's
 * code) with what is indexed, report by report. It reads only `_id`,
 * `dragnet.kind`, `dragnet.value` and `dragnet.sources[*].provider`.
 */
import type { TestElasticsearch as Client } from '@dragnet/test-kit';
import type { ExpectedReport } from './feeds.js';

/** The indexed facts the checker looks at. */
export interface IndexedFacts {
  id: string;
  kind: string | undefined;
  value: string | undefined;
  providers: string[];
}

export interface CheckResult {
  /** Distinct (partner, observable) reports pushed. */
  pushed: number;
  /** Reports with no document, or whose document does not list the partner. */
  lost: number;
  /** Partners listed on a document they never reported, or listed twice, and documents nobody reported. */
  extra: number;
  /** Reports whose document has another canonical value or kind than the vector's. */
  wrongValue: number;
  /** Documents in the index / documents expected. */
  documents: number;
  expectedDocuments: number;
  /** A few examples of each finding, `partner id` or `id: why`. */
  examples: { lost: string[]; extra: string[]; wrongValue: string[] };
}

const EXAMPLES = 5;

export function checkIndex(
  expected: readonly ExpectedReport[],
  indexed: ReadonlyMap<string, IndexedFacts>,
): CheckResult {
  const wanted = new Map<string, { kind: string; value: string; partners: Set<string> }>();
  for (const report of expected) {
    const entry = wanted.get(report.id) ?? {
      kind: report.kind,
      value: report.value,
      partners: new Set<string>(),
    };
    if (entry.value !== report.value) throw new Error(`two values expected under ${report.id}`);
    entry.partners.add(report.partner);
    wanted.set(report.id, entry);
  }
  const result: CheckResult = {
    pushed: 0,
    lost: 0,
    extra: 0,
    wrongValue: 0,
    documents: indexed.size,
    expectedDocuments: wanted.size,
    examples: { lost: [], extra: [], wrongValue: [] },
  };
  const note = (list: string[], text: string) => {
    if (list.length < EXAMPLES) list.push(text);
  };
  for (const [id, want] of wanted) {
    const document = indexed.get(id);
    result.pushed += want.partners.size;
    if (!document) {
      result.lost += want.partners.size;
      for (const partner of want.partners)
        note(result.examples.lost, `${partner} ${id} (${want.value}): no document`);
      continue;
    }
    if (document.value !== want.value || document.kind !== want.kind) {
      result.wrongValue += want.partners.size;
      note(
        result.examples.wrongValue,
        `${id}: ${document.kind} ${JSON.stringify(document.value)}, want ${want.kind} ${JSON.stringify(want.value)}`,
      );
    }
    const listed = new Map<string, number>();
    for (const provider of document.providers) listed.set(provider, (listed.get(provider) ?? 0) + 1);
    for (const partner of want.partners) {
      if (!listed.has(partner)) {
        result.lost++;
        note(
          result.examples.lost,
          `${partner} ${id} (${want.value}): not among ${[...listed.keys()].join(',')}`,
        );
      }
    }
    for (const [provider, times] of listed) {
      const unexpected = want.partners.has(provider) ? times - 1 : times;
      if (unexpected > 0) {
        result.extra += unexpected;
        note(
          result.examples.extra,
          `${id}: ${provider} listed ${times}×, reported ${want.partners.has(provider) ? 1 : 0}×`,
        );
      }
    }
  }
  for (const [id, document] of indexed) {
    if (wanted.has(id)) continue;
    result.extra += Math.max(1, document.providers.length);
    note(
      result.examples.extra,
      `${id}: unexpected document ${document.kind} ${JSON.stringify(document.value)}`,
    );
  }
  return result;
}

interface FactsSource {
  dragnet?: { kind?: string; value?: string; sources?: { provider?: string }[] };
}

/** Every document of `index` (refreshed first), reduced to the checked facts; paged by `_id` order. */
export async function readIndexedFacts(client: Client, index: string): Promise<Map<string, IndexedFacts>> {
  await client.indices.refresh({ index });
  const facts = new Map<string, IndexedFacts>();
  const size = 5_000;
  let after: (string | number)[] | undefined;
  for (;;) {
    const page = await client.search<FactsSource>({
      index,
      size,
      sort: [{ 'dragnet.id': 'asc' }],
      _source: ['dragnet.kind', 'dragnet.value', 'dragnet.sources.provider'],
      query: { match_all: {} },
      ...(after ? { search_after: after } : {}),
    });
    for (const hit of page.hits.hits) {
      const dragnet = hit._source?.dragnet;
      facts.set(hit._id!, {
        id: hit._id!,
        kind: dragnet?.kind,
        value: dragnet?.value,
        providers: (dragnet?.sources ?? []).map((source) => String(source.provider)),
      });
    }
    if (page.hits.hits.length < size) break;
    after = page.hits.hits.at(-1)!.sort as (string | number)[];
  }
  return facts;
}

export function isClean(result: CheckResult): boolean {
  return result.lost === 0 && result.extra === 0 && result.wrongValue === 0;
}

export function describeCheck(step: string, result: CheckResult): string {
  const head = `${step}: pushed ${result.pushed} reports (${result.expectedDocuments} documents expected, ${result.documents} indexed), lost ${result.lost}, extra ${result.extra}, wrong value ${result.wrongValue}`;
  const examples = [
    ...result.examples.lost.map((text) => `  lost: ${text}`),
    ...result.examples.extra.map((text) => `  extra: ${text}`),
    ...result.examples.wrongValue.map((text) => `  wrong value: ${text}`),
  ];
  return [head, ...examples].join('\n');
}
