import type { Tlp } from '@dragnet/indicators';
import { type IndicatorSummary, type LookupScope, lookupMany, searchPage } from '@dragnet/lookup';
import type { CliContext } from './context.js';

function scope(context: CliContext, maxTlp: Tlp): LookupScope {
  return { client: context.elasticsearch(), index: context.names.index.alias, maxTlp };
}

function row(indicator: IndicatorSummary): string {
  const providers = indicator.sources.map((source) => source.provider).join(',');
  const flags = [
    indicator.active ? 'active' : indicator.expired ? 'expired' : 'inactive',
    ...indicator.warninglists.map((hit) => `warninglist:${hit.name}`),
  ].join(' ');
  return `${indicator.kind.padEnd(7)} ${indicator.value}  score=${indicator.score} tlp=${indicator.tlp} partners=${providers} ${flags}`;
}

/**
 * `dragnet lookup VALUE…`: the API's bulk lookup, run directly against the
 * index. Exit status like grep: 0 when something matched, 1 when nothing did.
 */
export async function lookupValues(
  context: CliContext,
  values: string[],
  options: { json: boolean; maxTlp: Tlp },
): Promise<number> {
  const result = await lookupMany(scope(context, options.maxTlp), values);
  if (options.json) console.log(JSON.stringify(result, null, 2));
  else {
    for (const match of result.matches)
      console.log(
        `${match.inputs.join(', ')} → ${match.matched_by === 'network' ? 'in network ' : ''}${row(match.indicator)}`,
      );
    for (const input of result.unknown) console.log(`${input} → unknown`);
    for (const entry of result.invalid)
      console.log(`${entry.input} → invalid (${entry.reason}): ${entry.message}`);
  }
  return result.matches.length > 0 ? 0 : 1;
}

/** `dragnet search QUERY`: one page of the API's query-string search. */
export async function searchIndex(
  context: CliContext,
  query: string,
  options: { json: boolean; size: number; cursor?: string | undefined; maxTlp: Tlp },
): Promise<number> {
  const page = await searchPage(scope(context, options.maxTlp), {
    query,
    size: options.size,
    cursor: options.cursor,
  });
  if (options.json) console.log(JSON.stringify(page, null, 2));
  else {
    for (const indicator of page.indicators) console.log(row(indicator));
    console.log(
      `${page.indicators.length} of ${page.total}${page.next_cursor ? `; next page: --cursor ${page.next_cursor}` : ''}`,
    );
  }
  return 0;
}
