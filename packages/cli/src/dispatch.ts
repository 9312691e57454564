import { parseArgs } from 'node:util';
import { type Command, type CommandInput, type OptionSpecs, UsageError } from './command.js';
import { oneLine } from './failures.js';

/** Flags every command takes. */
export const GLOBAL_OPTIONS = {
  help: { type: 'boolean', short: 'h', description: 'this help' },
  verbose: { type: 'boolean', description: 'library logs and stack traces to stderr (also LOG_LEVEL=debug)' },
} as const satisfies OptionSpecs;

const GLOBAL_FLAGS = new Set(['--help', '-h', '--verbose']);

const FOOTER = `Connections come from KAFKA_BROKERS, ELASTICSEARCH_URL, REDIS_URL (see docs/configuration.md);
\`dragnet COMMAND --help\` shows a command's options. A server that is down or refuses the
credentials is reported in one line; --verbose (or LOG_LEVEL=debug) adds library logs and stack traces.`;

export type ParsedCommandLine =
  | { kind: 'help'; text: string; exitCode: number }
  | { kind: 'run'; command: Command; input: CommandInput<OptionSpecs>; verbose: boolean };

/** `dragnet --help`: every command with its arguments and summary. */
export function formatHelp(
  table: readonly Command[],
  title = 'dragnet — operate the Dragnet threat-intelligence pipeline',
): string {
  const lines = table.map((command) => {
    const left = `  dragnet ${command.name}${command.usage ? ` ${command.usage}` : ''}`;
    return left.length < 46
      ? `${left.padEnd(46)} ${command.summary}`
      : `${left}\n${' '.repeat(47)}${command.summary}`;
  });
  return `${title}\n\n${lines.join('\n')}\n\n${FOOTER}`;
}

/** `dragnet COMMAND --help`: the command's usage, summary and every option. */
export function formatCommandHelp(command: Command): string {
  const specs: OptionSpecs = { ...command.options, ...GLOBAL_OPTIONS };
  const options = Object.entries(specs).map(([name, spec]) => {
    const flag = `--${name}${spec.type === 'string' ? ` ${spec.placeholder ?? 'VALUE'}` : ''}`;
    const repeat = spec.multiple ? ' (repeatable)' : '';
    return `  ${flag.padEnd(28)} ${spec.description}${repeat}`;
  });
  return `dragnet ${command.name}${command.usage ? ` ${command.usage}` : ''}\n  ${command.summary}\n\noptions:\n${options.join('\n')}`;
}

/** The command named by the first one or two words of `words` (two-word names first). */
export function findCommand(table: readonly Command[], words: readonly string[]): Command | undefined {
  const two = words.slice(0, 2).join(' ');
  return table.find((command) => command.name === two) ?? table.find((command) => command.name === words[0]);
}

/**
 * Reads `argv` against the table: help (global, per group such as
 * `dragnet partner`, per command) or a command with its parsed options.
 * Options are strict: a misspelt flag is a usage error, not silently ignored.
 */
export function parseCommandLine(table: readonly Command[], argv: readonly string[]): ParsedCommandLine {
  const leading = argv.findIndex((token) => !GLOBAL_FLAGS.has(token));
  const start = leading === -1 ? argv.length : leading;
  const words: string[] = [];
  // Up to three words: `help feed push` names a two-word command after `help`.
  for (const token of argv.slice(start, start + 3)) {
    if (token.startsWith('-')) break;
    words.push(token);
  }
  const wantsHelp = argv.includes('--help') || argv.includes('-h');
  if (words[0] === 'help') return helpFor(table, words.slice(1), true);
  const command = findCommand(table, words);
  if (!command) {
    if (words.length === 0) return { kind: 'help', text: formatHelp(table), exitCode: wantsHelp ? 0 : 2 };
    return helpFor(table, words, wantsHelp);
  }
  const nameLength = command.name.split(' ').length;
  const args = [...argv.slice(0, start), ...argv.slice(start + nameLength)];
  let parsed: ReturnType<typeof parseArgs>;
  try {
    parsed = parseArgs({
      args,
      options: { ...command.options, ...GLOBAL_OPTIONS },
      allowPositionals: true,
      strict: true,
    });
  } catch (error) {
    throw new UsageError(`${command.name}: ${(error as Error).message}`);
  }
  if (parsed.values.help) return { kind: 'help', text: formatCommandHelp(command), exitCode: 0 };
  return {
    kind: 'run',
    command,
    input: { values: parsed.values as CommandInput<OptionSpecs>['values'], positionals: parsed.positionals },
    verbose: parsed.values.verbose === true,
  };
}

/** Help for `words`: a command's, a group's (`partner` → every `partner …` command), or "unknown". */
function helpFor(table: readonly Command[], words: readonly string[], asked: boolean): ParsedCommandLine {
  const command = findCommand(table, words);
  if (command) return { kind: 'help', text: formatCommandHelp(command), exitCode: 0 };
  const group = table.filter((entry) => entry.name.split(' ')[0] === words[0]);
  if (group.length > 0)
    return {
      kind: 'help',
      text: formatHelp(group, `dragnet ${words[0]} — one of:`),
      exitCode: asked ? 0 : 2,
    };
  if (words.length === 0) return { kind: 'help', text: formatHelp(table), exitCode: 0 };
  throw new UsageError(
    `unknown command: ${oneLine(words.join(' '))} (\`dragnet --help\` lists the commands)`,
  );
}

export interface CliOutput {
  out(text: string): void;
  err(text: string): void;
}

const STDIO: CliOutput = {
  out: (text) => process.stdout.write(`${text}\n`),
  err: (text) => process.stderr.write(`${text}\n`),
};

/** Exit status of a failure: 2 for a wrong command line, 78 for bad configuration, 1 otherwise. */
export function exitStatusOf(error: unknown): number {
  const name = (error as { name?: unknown })?.name;
  return name === 'UsageError' ? 2 : name === 'ConfigError' ? 78 : 1;
}

/** A failure as the user sees it: one line, unless verbose (then the stack and causes too). */
export function formatFailure(error: unknown, verbose: boolean): string {
  const name = (error as { name?: unknown })?.name;
  const message = error instanceof Error ? error.message : String(error);
  const prefix = name === 'ConfigError' ? 'dragnet: configuration error:' : 'dragnet:';
  if (verbose && error instanceof Error && error.stack) return `${prefix} ${error.stack}`;
  return oneLine(`${prefix} ${message}`);
}

/**
 * Parses, checks the servers the command needs, runs it, closes its clients.
 * The context, the probes and every adapter are imported here, on demand:
 * `dragnet --help` loads none of them.
 */
export async function runCli(
  argv: readonly string[],
  table: readonly Command[],
  output: CliOutput = STDIO,
): Promise<number> {
  let verbose = argv.includes('--verbose');
  try {
    const parsed = parseCommandLine(table, argv);
    if (parsed.kind === 'help') {
      (parsed.exitCode === 0 ? output.out : output.err)(parsed.text);
      return parsed.exitCode;
    }
    const [{ openCliContext }, { checkServers }] = await Promise.all([
      import('./context.js'),
      import('./preflight.js'),
    ]);
    const context = await openCliContext(parsed.command.needs, { verbose: parsed.verbose });
    verbose = context.verbose;
    try {
      const problem = await checkServers(context, parsed.command.needs);
      if (problem) {
        output.err(problem);
        return 1;
      }
      return await parsed.command.run(parsed.input, context);
    } finally {
      await context.close();
    }
  } catch (error) {
    output.err(formatFailure(error, verbose));
    return exitStatusOf(error);
  }
}
