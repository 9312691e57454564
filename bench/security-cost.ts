/**
 * The cost of security for `pnpm bench`: the same pipeline pass over the same
 * records, once against the secured shared stack (SASL/SCRAM + ACLs, HTTPS +
 * users, Redis ACLs) and once against an open stack of its own, started here
 * on other ports and in another state dir (a state dir keeps the security
 * mode it was formatted with, so the open stack cannot share `.stack`).
 *
 * Each pass runs in a child process: clients read their configuration from
 * the environment when they are created, so a fresh process is the only way
 * to be sure a pass talks to one stack only. Node built-ins only (imported
 * before the benchmark fixes its namespace).
 */
import { execFileSync, spawn } from 'node:child_process';
import { mkdirSync, readFileSync, rmSync } from 'node:fs';
import { join } from 'node:path';
import { log, machine, writeResult } from './report.js';

const REPO_ROOT = join(import.meta.dirname, '..');
const STACK_SCRIPT = join(REPO_ROOT, 'infra', 'local', 'stack.sh');

/** The open stack's own ports and state dir: nothing collides with the shared stack (19xxx/16379, `.stack`). */
export const OPEN_STACK = {
  dir: join(REPO_ROOT, '.stack-open'),
  kafkaPort: 39092,
  kafkaControllerPort: 39093,
  kafkaPartnerPort: 39094,
  esPort: 39200,
  esTransportPort: 39300,
  redisPort: 36379,
} as const;

/** The variables `infra/local/stack.sh` reads to run the open stack. */
export function openStackScriptEnv(): Record<string, string> {
  return {
    DRAGNET_STACK_SECURITY: 'off',
    DRAGNET_STACK_DIR: OPEN_STACK.dir,
    DRAGNET_KAFKA_PORT: String(OPEN_STACK.kafkaPort),
    DRAGNET_KAFKA_CONTROLLER_PORT: String(OPEN_STACK.kafkaControllerPort),
    DRAGNET_KAFKA_PARTNER_PORT: String(OPEN_STACK.kafkaPartnerPort),
    DRAGNET_ES_PORT: String(OPEN_STACK.esPort),
    DRAGNET_ES_TRANSPORT_PORT: String(OPEN_STACK.esTransportPort),
    DRAGNET_REDIS_PORT: String(OPEN_STACK.redisPort),
  };
}

/** Identities, secrets and CA settings of the secured stack: none may leak into the open pass. */
const SECURED_ONLY =
  /^(KAFKA_SASL_|KAFKA_SSL_|ELASTICSEARCH_(USERNAME|PASSWORD|API_KEY|CA_FILE)|REDIS_(USERNAME|PASSWORD)|DRAGNET_SECRETS_DIR|DRAGNET_CA_FILE|KAFKA_PARTNER_BROKERS|KAFKA_TOOLS_)/;

/** The open pass's environment: the parent's minus every secured-stack setting, pointed at the open stack. */
export function openPassEnv(parent: NodeJS.ProcessEnv): NodeJS.ProcessEnv {
  const env: NodeJS.ProcessEnv = {};
  for (const [name, value] of Object.entries(parent)) if (!SECURED_ONLY.test(name)) env[name] = value;
  return {
    ...env,
    DRAGNET_STACK_SECURITY: 'off',
    DRAGNET_STACK_DIR: OPEN_STACK.dir,
    KAFKA_BROKERS: `127.0.0.1:${OPEN_STACK.kafkaPort}`,
    ELASTICSEARCH_URL: `http://127.0.0.1:${OPEN_STACK.esPort}`,
    REDIS_URL: `redis://127.0.0.1:${OPEN_STACK.redisPort}`,
  };
}

function stackScript(command: 'up' | 'down' | 'status'): boolean {
  try {
    execFileSync('bash', [STACK_SCRIPT, command], {
      env: { ...process.env, ...openStackScriptEnv() },
      stdio: ['ignore', 'ignore', command === 'status' ? 'ignore' : 'inherit'],
    });
    return true;
  } catch {
    return false;
  }
}

/** Starts the open stack unless it runs; the returned function stops it again if this call started it. */
export function startOpenStack(): () => void {
  if (stackScript('status')) {
    log(`open stack: already running in ${OPEN_STACK.dir}, left running afterwards`);
    return () => undefined;
  }
  log(
    `open stack: starting in ${OPEN_STACK.dir} (Kafka ${OPEN_STACK.kafkaPort}, ES ${OPEN_STACK.esPort}, Redis ${OPEN_STACK.redisPort})`,
  );
  if (!stackScript('up')) throw new Error('open stack did not start (see the lines above)');
  return () => {
    log('open stack: stopping');
    stackScript('down');
  };
}

export type PassLabel = 'secured' | 'open';

/** Runs one pass of the benchmark in a child process and returns the result it wrote (`scaling`: bench/scaling.ts). */
export async function runPass<Result = PassResult>(
  label: PassLabel | 'scaling',
  args: readonly string[],
  env: NodeJS.ProcessEnv,
): Promise<Result> {
  // A fresh clone has no bench-results/ yet: the pass writes its result there.
  mkdirSync(join(REPO_ROOT, 'bench-results'), { recursive: true });
  const resultFile = join(REPO_ROOT, 'bench-results', `.pass-${label}-${process.pid}-${Date.now()}.json`);
  log(`\n— ${label} pass —`);
  const child = spawn(
    process.execPath,
    [
      '--import',
      'tsx',
      join(import.meta.dirname, 'pipeline.bench.ts'),
      ...args,
      '--pass',
      label,
      '--pass-result',
      resultFile,
      '--skip-build',
    ],
    { env, stdio: 'inherit' },
  );
  const code = await new Promise<number | null>((resolve) => child.once('exit', resolve));
  if (code !== 0) throw new Error(`${label} pass exited with ${code}`);
  const result = JSON.parse(readFileSync(resultFile, 'utf8')) as Result;
  rmSync(resultFile, { force: true });
  return result;
}

/** What the comparison needs of a pass's result (the full result is written by the pass). */
export interface PassResult {
  endToEnd: { indicatorsPerSecond: number; documentsPerSecond: number; totalMs: number };
  replay: { indicatorsPerSecond: number };
  latency: { p99Ms: number };
  resources: { name: string; cpuSeconds: number }[];
  [more: string]: unknown;
}

/**
 * CPU seconds a pass cost: Dragnet's services (ours alone) and the servers
 * (the secured stack is shared, so its servers' figure includes whatever else
 * ran on them). On a machine where other work competes for the cores, wall
 * time says more about the neighbours than about security; CPU per pass is
 * what the same work cost each way.
 */
export function cpuSeconds(pass: PassResult): { services: number; servers: number } {
  const servers = new Set(['kafka', 'elasticsearch', 'redis']);
  let services = 0;
  let serverSeconds = 0;
  for (const entry of pass.resources)
    if (servers.has(entry.name)) serverSeconds += entry.cpuSeconds;
    else services += entry.cpuSeconds;
  return { services: Number(services.toFixed(1)), servers: Number(serverSeconds.toFixed(1)) };
}

export const ratio = (secured: number, open: number): number => Number((secured / open).toFixed(2));

/** The middle value (the mean of the two middle ones for an even count). */
export function median(values: readonly number[]): number {
  const sorted = [...values].sort((a, b) => a - b);
  const middle = Math.floor(sorted.length / 2);
  return sorted.length % 2 ? sorted[middle]! : (sorted[middle - 1]! + sorted[middle]!) / 2;
}

/**
 * `pnpm bench` without `--pass`: `rounds` × (secured pass, open pass) over the
 * same records (same seed and size), alternating so a machine that slows down
 * during the run does not favour one mode; prints each round's throughput and
 * the median ratio secured / open.
 */
export async function compareSecurity(args: readonly string[], rounds: number, modes: readonly PassLabel[]) {
  const passes: Record<PassLabel, PassResult[]> = { secured: [], open: [] };
  const stopOpenStack = modes.includes('open') ? startOpenStack() : () => undefined;
  try {
    for (let round = 0; round < rounds; round++)
      for (const label of modes)
        passes[label].push(
          await runPass(label, args, label === 'open' ? openPassEnv(process.env) : process.env),
        );
  } finally {
    stopOpenStack();
  }
  const throughput = (label: PassLabel) => passes[label].map((pass) => pass.endToEnd.indicatorsPerSecond);
  const replay = (label: PassLabel) => passes[label].map((pass) => pass.replay.indicatorsPerSecond);
  const cpu = (label: PassLabel, part: 'services' | 'servers') =>
    passes[label].map((pass) => cpuSeconds(pass)[part]);
  if (modes.length < 2) return;
  const summary = {
    at: new Date().toISOString(),
    machine: machine(),
    args,
    rounds,
    secured: {
      indicatorsPerSecond: throughput('secured'),
      replayIndicatorsPerSecond: replay('secured'),
      servicesCpuSeconds: cpu('secured', 'services'),
      serversCpuSeconds: cpu('secured', 'servers'),
    },
    open: {
      indicatorsPerSecond: throughput('open'),
      replayIndicatorsPerSecond: replay('open'),
      servicesCpuSeconds: cpu('open', 'services'),
      serversCpuSeconds: cpu('open', 'servers'),
    },
    ratios: throughput('secured').map((secured, round) => ratio(secured, throughput('open')[round]!)),
    // The median of the rounds' ratios: each round's two passes ran close together in time.
    medianRatio: 0,
    medianReplayRatio: ratio(median(replay('secured')), median(replay('open'))),
    // CPU-bound throughput ratio the same work implies: open CPU / secured CPU.
    servicesCpuRatio: ratio(median(cpu('open', 'services')), median(cpu('secured', 'services'))),
    allCpuRatio: ratio(
      median(cpu('open', 'services')) + median(cpu('open', 'servers')),
      median(cpu('secured', 'services')) + median(cpu('secured', 'servers')),
    ),
  };
  summary.medianRatio = Number(median(summary.ratios).toFixed(2));
  const number = (value: number) => value.toLocaleString('en');
  console.log('\ncost of security (end to end, indicators/s):');
  for (let round = 0; round < rounds; round++)
    console.log(
      `  round ${round + 1}: secured ${number(summary.secured.indicatorsPerSecond[round]!)} · open ${number(summary.open.indicatorsPerSecond[round]!)} · ratio ${summary.ratios[round]}`,
    );
  console.log(
    `  median ratio secured/open ${summary.medianRatio} (target ≥ 0.85) · replay ratio ${summary.medianReplayRatio}`,
  );
  console.log(
    `  CPU of the same work, open/secured: services ${summary.servicesCpuRatio} · services and servers ${summary.allCpuRatio} (the secured servers are shared)`,
  );
  console.log(`written ${writeResult('pipeline-security', summary)}`);
}
