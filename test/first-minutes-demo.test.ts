// The demo's story (`dragnet demo summary`), told for a fixed seed on the real
// stack in this file's namespace: the numbers it prints are computed here from
// the generator's output (not by the summary's code), and every "try" command
// it prints runs as pasted and succeeds. The CLI runs from its bundle, as
// `pnpm dragnet` runs it, and no library warning reaches its output.
import { spawnSync } from 'node:child_process';
import { createHash, randomBytes } from 'node:crypto';
import { mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { AUDIT_INDEX } from '@dragnet/contracts';
import { deleteIndicatorIndex } from '@dragnet/elasticsearch';
import { generateIndicators, type SyntheticIndicator, toCsvLine } from '@dragnet/feedgen';
import {
  REPO_ROOT,
  requireStack,
  type ServiceProcess,
  startService,
  testElasticsearch,
  testKafka,
} from '@dragnet/test-kit';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import {
  apiBaseUrl,
  createPipelineResources,
  dropPipelineResources,
  Pipeline,
  registry,
  SYNTHETIC_PARTNERS,
  serviceEnv,
} from './pipeline-kit.js';

const kafka = testKafka();
const elasticsearch = testElasticsearch();
const SEED = 42;
const COUNT = 400;
const MISTAKES = join(REPO_ROOT, 'infra/samples/with-mistakes.csv');
/** What infra/samples/with-mistakes.csv holds, read by eye (the oracle for its part). */
const MISTAKES_GOOD = [
  { kind: 'ipv4', value: '192.0.2.77' },
  { kind: 'url', value: 'http://login-bank.example.org/verify' },
];
const MISTAKES_REJECTS = { invalid_ipv4: 2, invalid_domain: 1 };

/** Library output that must never reach a CLI user (kafkajs' JSON log lines and its idempotence notice). */
const LIBRARY_NOISE = /kafkajs|"level":|"logger":|EoS guarantees|Limiting retries|\bat .+\.(?:js|ts):\d+/i;

interface Run {
  status: number | null;
  stdout: string;
  stderr: string;
}

function dragnet(args: string[]): Run {
  const result = spawnSync(process.execPath, [join(REPO_ROOT, 'packages/cli/dist/main.js'), ...args], {
    cwd: REPO_ROOT,
    env: process.env,
    encoding: 'utf8',
    timeout: 300_000,
  });
  return { status: result.status, stdout: result.stdout, stderr: result.stderr };
}

/** A command line exactly as a reader pastes it into bash. */
function pasted(line: string): Run {
  const result = spawnSync('bash', ['-c', line], {
    cwd: REPO_ROOT,
    env: process.env,
    encoding: 'utf8',
    timeout: 120_000,
  });
  return { status: result.status, stdout: result.stdout, stderr: result.stderr };
}

/** ipv6 as an IPv6 parser writes it (WHATWG URL, not Dragnet's canonicaliser); other values as generated. */
const canonical = (indicator: SyntheticIndicator): string =>
  indicator.kind === 'ipv6' ? new URL(`http://[${indicator.value}]/`).hostname.slice(1, -1) : indicator.value;

/** What the index must say, from the generated records and the sample: value → kind and partners. */
function expectedIndicators(
  items: readonly SyntheticIndicator[],
): Map<string, { kind: string; partners: Set<string> }> {
  const expected = new Map<string, { kind: string; partners: Set<string> }>();
  const add = (value: string, kind: string, partner: string) => {
    const entry = expected.get(value) ?? { kind, partners: new Set<string>() };
    entry.partners.add(partner);
    expected.set(value, entry);
  };
  for (const item of items) add(canonical(item), item.kind, item.partner);
  for (const good of MISTAKES_GOOD) add(good.value, good.kind, 'synthetic-b');
  return expected;
}

const countBy = <T>(values: Iterable<T>): Map<T, number> => {
  const counts = new Map<T, number>();
  for (const value of values) counts.set(value, (counts.get(value) ?? 0) + 1);
  return counts;
};

const toNumber = (text: string) => Number(text.replaceAll(',', ''));

/** The rows of the table whose header line is `header`: first column → the number in `column`. */
function tableRows(summary: string, header: RegExp, column = 1): Map<string, number> {
  const lines = summary.split('\n');
  const start = lines.findIndex((line) => header.test(line));
  expect(start, `a table headed ${header}`).toBeGreaterThanOrEqual(0);
  const rows = new Map<string, number>();
  for (const line of lines.slice(start + 1)) {
    const cells = line.trim().split(/\s{2,}/);
    if (line.trim() === '' || !line.startsWith('  ') || cells.length < 2 || line.trim().startsWith('('))
      break;
    rows.set(cells[0]!, toNumber(cells[column]!));
  }
  return rows;
}

/** The lines under `== try:` up to the next blank line. */
function tryLines(summary: string): string[] {
  const after = summary.split(/^== try:$/m)[1] ?? '';
  return after
    .split('\n\n')[0]!
    .split('\n')
    .map((line) => line.trim())
    .filter((line) => line !== '');
}

const sha256 = (text: string) => createHash('sha256').update(text, 'utf8').digest('hex');

describe('first minutes: the demo summary tells what happened', () => {
  const pipeline = new Pipeline(serviceEnv({ ENRICHMENT_ENABLED: 'true' }));
  let api: ServiceProcess | undefined;
  const outputs: { command: string; run: Run }[] = [];
  const cli = (args: string[]) => {
    const run = dragnet(args);
    outputs.push({ command: args.slice(0, 2).join(' '), run });
    expect(run.status, `dragnet ${args.join(' ')}: ${run.stderr}`).toBe(0);
    return run;
  };

  beforeAll(async () => {
    await requireStack();
    const build = spawnSync(process.execPath, [join(REPO_ROOT, 'scripts/bundle.mjs'), '--cli'], {
      cwd: REPO_ROOT,
      encoding: 'utf8',
    });
    expect(build.status, build.stderr).toBe(0);
    await dropPipelineResources(kafka, elasticsearch);
    await createPipelineResources(kafka, elasticsearch);
  });
  afterAll(async () => {
    await Promise.all([pipeline.stopAll(), api?.kill('SIGTERM')]);
    await dropPipelineResources(kafka, elasticsearch);
    await deleteIndicatorIndex(elasticsearch, AUDIT_INDEX).catch(() => undefined);
  });

  it('prints the counts per kind, partner and overlap, one example, the rejects, enrichment, and commands that work', async () => {
    const key = `dgn_${randomBytes(32).toString('base64url')}`;
    const dir = mkdtempSync(join(tmpdir(), 'dragnet-demo-'));
    const keyFile = join(dir, 'demo-api-key');
    writeFileSync(keyFile, key);
    writeFileSync(
      join(dir, 'api-keys.json'),
      JSON.stringify([{ id: 'demo', sha256: sha256(key), max_tlp: 'amber', organisation: 'Dragnet demo' }]),
    );
    pipeline.startAll();
    pipeline.start('enricher');
    api = startService(
      'api',
      serviceEnv({ API_PORT: '0', API_HOST: '127.0.0.1', API_KEYS_FILE: join(dir, 'api-keys.json') }),
    );

    // As scripts/demo.sh does: a generated feed dated up to today, then a partner's list with mistakes.
    const today = new Date().toISOString().slice(0, 10);
    cli([
      'feed',
      'generate',
      '--count',
      String(COUNT),
      '--seed',
      String(SEED),
      '--base-date',
      today,
      '--out-dir',
      dir,
    ]);
    for (const partner of SYNTHETIC_PARTNERS)
      cli(['feed', 'push', '--partner', partner, join(dir, `${partner}.csv`)]);
    cli(['feed', 'push', '--partner', 'synthetic-b', MISTAKES]);
    cli(['status', '--wait', '--timeout', '240']);

    const apiUrl = await apiBaseUrl(api);
    const summary = cli(['demo', 'summary', '--api-url', apiUrl, '--api-key-file', keyFile]).stdout;

    const items = [
      ...generateIndicators({
        count: COUNT,
        duplicateRatio: 0.3,
        seed: SEED,
        partners: SYNTHETIC_PARTNERS,
        baseTime: Date.parse(`${today}T00:00:00Z`),
      }),
    ];
    // The generated files are what the summary's numbers must come from.
    for (const partner of SYNTHETIC_PARTNERS)
      expect(readFileSync(join(dir, `${partner}.csv`), 'utf8')).toBe(
        items
          .filter((item) => item.partner === partner)
          .map((item) => `${toCsvLine(item)}\n`)
          .join(''),
      );
    const expected = expectedIndicators(items);
    const entries = [...expected.values()];

    expect(summary).toContain(
      `== indexed: ${expected.size.toLocaleString('en-US')} indicators from 3 partners`,
    );
    expect(tableRows(summary, /^ {2}kind\s+indicators$/)).toEqual(
      countBy(entries.map((entry) => entry.kind)),
    );
    expect(tableRows(summary, /^ {2}partner\s+indicators$/)).toEqual(
      countBy(entries.flatMap((entry) => [...entry.partners])),
    );

    const byPartnerCount = countBy(entries.map((entry) => entry.partners.size));
    const several = entries.filter((entry) => entry.partners.size >= 2).length;
    expect(several, 'the seed gives indicators several partners reported').toBeGreaterThan(0);
    const split = [...byPartnerCount]
      .filter(([partners]) => partners >= 2)
      .sort(([a], [b]) => a - b)
      .map(([partners, count]) => `${partners} partners: ${count}`)
      .join(', ');
    expect(summary).toContain(`== reported by several partners: ${several} indicators (${split})`);

    // The example: an indicator with the most partners, each shown with the TLP its partner gives by default.
    const exampleLine = /^ {2}for example (\S+) \((\w+)\), score [\d.]+, TLP (\w+) overall/m.exec(summary);
    expect(exampleLine, summary).not.toBeNull();
    const [, value, kind] = exampleLine!;
    const most = Math.max(...entries.map((entry) => entry.partners.size));
    expect(expected.get(value!)?.kind).toBe(kind);
    expect(expected.get(value!)?.partners.size).toBe(most);
    const tlpRows = summary
      .split(/^ {4}partner\s+TLP$/m)[1]!
      .split('\n\n')[0]!
      .trim()
      .split('\n')
      .map((line) => line.trim().split(/\s+/));
    expect(Object.fromEntries(tlpRows)).toEqual(
      Object.fromEntries(
        [...expected.get(value!)!.partners].map((p) => [p, registry.byId.get(p)!.defaultTlp]),
      ),
    );

    expect(summary).toContain('== rejected: 3 records in 1 dead letters');
    expect(Object.fromEntries(tableRows(summary, /^ {2}reason\s+records\s+example$/))).toEqual(
      MISTAKES_REJECTS,
    );
    expect(summary).toMatch(/invalid_ipv4\s+2 {2}"300\.12\.7\.1": .+ \(dlq show \d+:\d+\)/);
    expect(summary).toContain(`== enriched: ${expected.size.toLocaleString('en-US')} of`);

    const commands = tryLines(summary);
    expect(commands).toHaveLength(3);
    for (const command of commands) {
      const run = pasted(command);
      // The CLI's output is checked for library noise; curl prints the API's answer.
      if (!command.startsWith('curl')) outputs.push({ command, run });
      expect(run.status, `${command}\n${run.stdout}\n${run.stderr}`).toBe(0);
    }
    expect(pasted(commands[1]!).stdout).toContain(value!);
    expect(pasted(commands[2]!).stdout).toMatch(/invalid_ipv4/);

    for (const { command, run } of outputs)
      expect(`${run.stdout}${run.stderr}`, `library output in ${command}`).not.toMatch(LIBRARY_NOISE);
  });
});
