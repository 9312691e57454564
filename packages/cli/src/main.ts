import { parseArgs } from 'node:util';
import { createApiKey } from '@dragnet/api';
import type { Tlp } from '@dragnet/indicators';
import { parseTlpLevel } from '@dragnet/lookup';
import { listDeadLetters, redriveDeadLetters, showDeadLetter } from './commands/dlq.js';
import { generateFeed, pushFeed } from './commands/feed.js';
import { listFailedJobs, reloadWarninglists, requestSweep, retryFailedJobs } from './commands/jobs.js';
import { kibanaSetup } from './commands/kibana.js';
import { lookupCommand, searchCommand } from './commands/lookup.js';
import { partnerMain } from './commands/partner.js';
import { setup } from './commands/setup.js';
import { sample, status, waitUntilIdle } from './commands/status.js';
import { createCliContext } from './context.js';

const USAGE = `dragnet — operate the Dragnet threat-intelligence pipeline

  dragnet setup [--partitions N]             create topics (from infra/partners.json) and the index
  dragnet feed push --partner P FILE…        push feed files to a partner's topic [--lines-per-message 5000]
  dragnet feed generate --out-dir DIR        synthetic feed, one CSV per partner
        [--count 100000] [--duplicates 0.3] [--seed 42] [--base-date YYYY-MM-DD] [--partners synthetic-a,synthetic-b,synthetic-c]
  dragnet status [--wait [--timeout S]]      consumer lag, queue depths, indexed documents
  dragnet sample                             the indexed indicator with the most partners
  dragnet dlq list [--code C] [--stage S] [--partner P]
  dragnet dlq show PARTITION:OFFSET          one dead letter with its original bytes
  dragnet dlq redrive [--code C] [--stage S] [--partner P] [--position P:O …] [--again]
                                             once per letter; --again re-drives letters re-driven before
  dragnet jobs failed                        failed enrichment jobs
  dragnet jobs retry [JOB_ID…]               re-drive failed jobs (all when none given)
  dragnet maintenance sweep                  re-score, mark expiry, re-enrich outdated indicators now
  dragnet warninglists reload                every enricher reloads WARNINGLISTS_DIR (as on SIGHUP)
  dragnet lookup VALUE…                      do we know these? (defanged input welcome) [--json] [--max-tlp red]
  dragnet search QUERY                       query-string search, newest first [--size 20] [--cursor C] [--json]
  dragnet api-key create --id ID             a new lookup API key and its hashed entry for API_KEYS
        [--max-tlp amber] [--rate-per-minute 600] [--organisation ORG] [--expires-at YYYY-MM-DD]
  dragnet partner add|rotate|revoke|list     partner credentials, topics and ACLs (dragnet partner --help)
  dragnet perimeter apply                    grant every service role its Kafka ACLs
  dragnet kibana setup                       import infra/kibana saved objects into KIBANA_URL

Connections come from KAFKA_BROKERS, ELASTICSEARCH_URL, REDIS_URL (see docs/configuration.md).`;

function dateArgument(raw: string, flag = '--base-date'): number {
  const parsed = Date.parse(`${raw}T00:00:00Z`);
  if (!/^\d{4}-\d{2}-\d{2}$/.test(raw) || Number.isNaN(parsed))
    throw new Error(`${flag}: expected YYYY-MM-DD (got ${JSON.stringify(raw)})`);
  return parsed;
}

async function main(argv: string[]): Promise<number> {
  if (argv[0] === 'partner' || argv[0] === 'perimeter') return partnerMain(argv, createCliContext);
  const { values, positionals } = parseArgs({
    args: argv,
    allowPositionals: true,
    options: {
      partner: { type: 'string' },
      partners: { type: 'string' },
      'lines-per-message': { type: 'string' },
      count: { type: 'string' },
      duplicates: { type: 'string' },
      seed: { type: 'string' },
      'out-dir': { type: 'string' },
      'base-date': { type: 'string' },
      partitions: { type: 'string' },
      code: { type: 'string' },
      stage: { type: 'string' },
      position: { type: 'string', multiple: true },
      wait: { type: 'boolean' },
      again: { type: 'boolean' },
      timeout: { type: 'string' },
      json: { type: 'boolean' },
      size: { type: 'string' },
      cursor: { type: 'string' },
      id: { type: 'string' },
      'max-tlp': { type: 'string' },
      'rate-per-minute': { type: 'string' },
      organisation: { type: 'string' },
      'expires-at': { type: 'string' },
      help: { type: 'boolean', short: 'h' },
    },
  });
  const [command, sub, ...rest] = positionals;
  if (values.help || !command) {
    console.log(USAGE);
    return command || values.help ? 0 : 2;
  }
  const number = (name: string, raw: string | undefined, fallback: number) => {
    if (raw === undefined) return fallback;
    const parsed = Number(raw);
    if (!Number.isFinite(parsed))
      throw new Error(`--${name}: expected a number (got ${JSON.stringify(raw)})`);
    return parsed;
  };
  const maxTlp = (fallback: Tlp): Tlp => {
    if (values['max-tlp'] === undefined) return fallback;
    const tlp = parseTlpLevel(values['max-tlp']);
    if (!tlp)
      throw new Error(
        `--max-tlp: expected clear, green, amber, amber+strict or red (got ${values['max-tlp']})`,
      );
    return tlp;
  };
  if (command === 'api-key' && sub === 'create') {
    if (!values.id) throw new Error('api-key create: --id is required');
    const { key, entry } = createApiKey(
      values.id,
      maxTlp('amber'),
      number('rate-per-minute', values['rate-per-minute'], 600),
      {
        ...(values.organisation ? { organisation: values.organisation } : {}),
        ...(values['expires-at']
          ? { expiresAt: new Date(dateArgument(values['expires-at'], '--expires-at')) }
          : {}),
      },
    );
    console.log(`key (shown once; give it to the client): ${key}`);
    console.log(`entry for API_KEYS: ${JSON.stringify(entry)}`);
    return 0;
  }
  if (command === 'kibana' && sub === 'setup')
    return kibanaSetup({ kibanaUrl: process.env.KIBANA_URL ?? 'http://127.0.0.1:5601' });
  const context = createCliContext();
  try {
    const filter = {
      ...(values.code ? { code: values.code } : {}),
      ...(values.stage ? { stage: values.stage } : {}),
      ...(values.partner ? { partner: values.partner } : {}),
      ...(values.position ? { positions: values.position } : {}),
    };
    if (command === 'search')
      return searchCommand(context, [sub, ...rest].filter(Boolean).join(' '), {
        json: values.json ?? false,
        size: number('size', values.size, 20),
        cursor: values.cursor,
        maxTlp: maxTlp('red'),
      });
    if (command === 'lookup') {
      const inputs = [sub, ...rest].filter((value): value is string => value !== undefined);
      if (inputs.length === 0) throw new Error('lookup: give at least one VALUE');
      return lookupCommand(context, inputs, { json: values.json ?? false, maxTlp: maxTlp('red') });
    }
    switch (`${command} ${sub ?? ''}`.trim()) {
      case 'setup':
        await setup(
          context,
          values.partitions ? { partitions: number('partitions', values.partitions, 6) } : {},
        );
        return 0;
      case 'feed push': {
        if (!values.partner) throw new Error('feed push: --partner is required');
        if (rest.length === 0) throw new Error('feed push: give at least one FILE');
        await pushFeed(context, {
          partner: values.partner,
          files: rest,
          linesPerMessage: number('lines-per-message', values['lines-per-message'], 5_000),
        });
        return 0;
      }
      case 'feed generate':
        await generateFeed(context, {
          count: number('count', values.count, 100_000),
          duplicates: number('duplicates', values.duplicates, 0.3),
          seed: number('seed', values.seed, 42),
          partners: (values.partners ?? 'synthetic-a,synthetic-b,synthetic-c').split(','),
          outDir: values['out-dir'] ?? '.',
          ...(values['base-date'] ? { baseTime: dateArgument(values['base-date']) } : {}),
        });
        return 0;
      case 'status':
        if (values.wait) await waitUntilIdle(context, number('timeout', values.timeout, 600) * 1_000);
        await status(context);
        return 0;
      case 'sample':
        await sample(context);
        return 0;
      case 'dlq list':
        await listDeadLetters(context, filter);
        return 0;
      case 'dlq show':
        if (!rest[0]) throw new Error('dlq show: give PARTITION:OFFSET');
        await showDeadLetter(context, rest[0]);
        return 0;
      case 'dlq redrive':
        await redriveDeadLetters(context, filter, { again: values.again ?? false });
        return 0;
      case 'jobs failed':
        await listFailedJobs(context);
        return 0;
      case 'jobs retry':
        await retryFailedJobs(context, rest);
        return 0;
      case 'maintenance sweep':
        await requestSweep(context);
        return 0;
      case 'warninglists reload':
        return reloadWarninglists(context);

      default:
        console.error(`unknown command: ${[command, sub].filter(Boolean).join(' ')}\n\n${USAGE}`);
        return 2;
    }
  } finally {
    await context.close();
  }
}

main(process.argv.slice(2)).then(
  (code) => process.exit(code),
  (error: unknown) => {
    console.error(`dragnet: ${(error as Error).message}`);
    process.exit(1);
  },
);
