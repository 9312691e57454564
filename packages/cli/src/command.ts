import type { CliContext } from './context.js';

/** A server a command talks to; the CLI checks each one it needs before the command runs. */
export type Server = 'kafka' | 'elasticsearch' | 'redis';

/** One command-line option, as `node:util` parseArgs reads it, with its help text. */
export interface OptionSpec {
  type: 'string' | 'boolean';
  multiple?: boolean;
  short?: string;
  /** Shown by `dragnet <command> --help`; a `(default …)` belongs here. */
  description: string;
  /** Placeholder in help (`--partner P`), for string options. */
  placeholder?: string;
}

export type OptionSpecs = Readonly<Record<string, OptionSpec>>;

/** The parsed value of each option: a string, a string list (`multiple`) or a boolean; absent when not given. */
export type OptionValues<O extends OptionSpecs> = {
  [K in keyof O]?: O[K]['type'] extends 'boolean'
    ? boolean
    : O[K]['multiple'] extends true
      ? string[]
      : string;
};

export interface CommandInput<O extends OptionSpecs> {
  values: OptionValues<O>;
  /** Words after the command's name. */
  positionals: string[];
}

/** What a command file exports: its entry of the command table. */
export interface Command<O extends OptionSpecs = OptionSpecs> {
  /** One or two words: `status`, `feed push`. */
  name: string;
  /** One line for `dragnet --help`. */
  summary: string;
  /** Arguments after the name, as help shows them: `--partner P FILE…`. */
  usage: string;
  options: O;
  /** Servers checked (one line each when down) before `run`; the context opens only these. */
  needs: readonly Server[];
  /** Returns the exit status. Heavy modules are imported inside, so `--help` loads none of them. */
  run(input: CommandInput<O>, context: CliContext): Promise<number>;
}

/** Type-checks a command's options against its `run` (a table entry keeps its own option types). */
export const defineCommand = <O extends OptionSpecs>(command: Command<O>): Command<O> => command;

/** Thrown for a wrong command line: printed with the command's usage, exit status 2. */
export class UsageError extends Error {
  override readonly name = 'UsageError';
}
