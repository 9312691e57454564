import { describe, expect, it } from 'vitest';
import { dateOption, numberOption } from './args.js';
import { type Command, defineCommand, UsageError } from './command.js';
import { COMMANDS } from './command-table.js';
import {
  exitStatusOf,
  findCommand,
  formatCommandHelp,
  formatFailure,
  formatHelp,
  parseCommandLine,
  runCli,
} from './dispatch.js';

const ran: { values: unknown; positionals: string[] }[] = [];
const table: Command[] = [
  defineCommand({
    name: 'feed push',
    summary: 'push files',
    usage: '--partner P FILE…',
    options: {
      partner: { type: 'string', placeholder: 'P', description: 'the partner' },
      again: { type: 'boolean', description: 'once more' },
      position: { type: 'string', multiple: true, description: 'where' },
    },
    needs: [],
    async run({ values, positionals }) {
      ran.push({ values, positionals });
      return 7;
    },
  }),
  defineCommand({
    name: 'feed',
    summary: 'the group word alone',
    usage: '',
    options: {},
    needs: [],
    run: async () => 3,
  }),
  defineCommand({
    name: 'boom',
    summary: 'fails',
    usage: '',
    options: {},
    needs: [],
    run: async () => {
      throw new Error('first line\nsecond line');
    },
  }),
  defineCommand({
    name: 'partner add',
    summary: 'add one',
    usage: '--id ID',
    options: {},
    needs: [],
    run: async () => 0,
  }),
  defineCommand({
    name: 'partner list',
    summary: 'list them',
    usage: '',
    options: {},
    needs: [],
    run: async () => 0,
  }),
];

function capture() {
  const out: string[] = [];
  const err: string[] = [];
  return {
    out,
    err,
    output: { out: (text: string) => out.push(text), err: (text: string) => err.push(text) },
  };
}

describe('the command table', () => {
  it('has one entry per name, each with a summary, and options that parseArgs accepts', () => {
    const names = COMMANDS.map((command) => command.name);
    expect(new Set(names).size).toBe(names.length);
    expect(names).toEqual(
      expect.arrayContaining([
        'setup',
        'feed push',
        'status',
        'dlq redrive',
        'api-key create',
        'partner add',
        'kibana setup',
      ]),
    );
    for (const command of COMMANDS) {
      expect(command.summary.length).toBeGreaterThan(5);
      expect(command.name.split(' ').length).toBeLessThanOrEqual(2);
      const parsed = parseCommandLine(COMMANDS, [...command.name.split(' '), '--help']);
      expect(parsed).toMatchObject({ kind: 'help', exitCode: 0 });
    }
  });

  it('lists every command in `--help`', () => {
    const help = formatHelp(COMMANDS);
    for (const command of COMMANDS) expect(help).toContain(`dragnet ${command.name}`);
  });

  it('declares the servers each command talks to', () => {
    const needs = Object.fromEntries(COMMANDS.map((command) => [command.name, [...command.needs].sort()]));
    expect(needs.status).toEqual(['elasticsearch', 'kafka', 'redis']);
    expect(needs['feed push']).toEqual(['kafka']);
    expect(needs.lookup).toEqual(['elasticsearch']);
    expect(needs['jobs retry']).toEqual(['redis']);
    expect(needs['api-key create']).toEqual([]);
  });
});

describe('parseCommandLine', () => {
  it('prefers the two-word name and passes the rest as positionals and typed values', () => {
    const parsed = parseCommandLine(table, [
      'feed',
      'push',
      '--partner',
      'acme',
      'a.csv',
      '--again',
      '--position',
      '0:1',
      '--position',
      '0:2',
      'b.csv',
    ]);
    expect(parsed).toMatchObject({
      kind: 'run',
      command: { name: 'feed push' },
      input: {
        values: { partner: 'acme', again: true, position: ['0:1', '0:2'] },
        positionals: ['a.csv', 'b.csv'],
      },
      verbose: false,
    });
    expect(parseCommandLine(table, ['feed', 'x'])).toMatchObject({
      kind: 'run',
      command: { name: 'feed' },
      input: { positionals: ['x'] },
    });
  });

  it('takes --verbose before or after the command', () => {
    expect(parseCommandLine(table, ['--verbose', 'feed', 'push'])).toMatchObject({
      command: { name: 'feed push' },
      verbose: true,
    });
    expect(parseCommandLine(table, ['feed', 'push', '--verbose'])).toMatchObject({ verbose: true });
  });

  it('refuses an option the command does not have (a typo is not silently ignored)', () => {
    expect(() => parseCommandLine(table, ['feed', 'push', '--partnr', 'acme'])).toThrow(UsageError);
    expect(() => parseCommandLine(table, ['feed', 'push', '--partnr', 'acme'])).toThrow(
      /feed push: .*partnr/,
    );
  });

  it('gives general help (status 0 when asked, 2 when no command), group help and command help', () => {
    expect(parseCommandLine(table, ['--help'])).toMatchObject({ kind: 'help', exitCode: 0 });
    expect(parseCommandLine(table, [])).toMatchObject({ kind: 'help', exitCode: 2 });
    const group = parseCommandLine(table, ['partner']);
    expect(group).toMatchObject({ kind: 'help', exitCode: 2 });
    expect(group.kind === 'help' && group.text).toContain('dragnet partner list');
    expect(group.kind === 'help' && group.text).not.toContain('feed push');
    expect(parseCommandLine(table, ['partner', '--help'])).toMatchObject({ kind: 'help', exitCode: 0 });
    const one = parseCommandLine(table, ['help', 'feed', 'push']);
    expect(one.kind === 'help' && one.text).toContain('--partner P');
  });

  it('says which command is unknown', () => {
    expect(() => parseCommandLine(table, ['frobnicate'])).toThrow(/unknown command: frobnicate/);
  });
});

describe('formatCommandHelp', () => {
  it('shows every option with its placeholder, description and the global flags', () => {
    const text = formatCommandHelp(table[0] as Command);
    expect(text).toMatch(/^dragnet feed push --partner P FILE…/);
    expect(text).toMatch(/--partner P\s+the partner/);
    expect(text).toMatch(/--position VALUE\s+where \(repeatable\)/);
    expect(text).toContain('--verbose');
  });
});

describe('runCli', () => {
  it("returns the command's exit status", async () => {
    const { output } = capture();
    ran.length = 0;
    expect(await runCli(['feed', 'push', '--partner', 'acme', 'f'], table, output)).toBe(7);
    expect(ran).toEqual([{ values: { partner: 'acme' }, positionals: ['f'] }]);
  });

  it('runs a command that needs no server whatever the server settings say', async () => {
    const saved = process.env.KAFKA_BROKERS;
    process.env.KAFKA_BROKERS = 'not a broker list';
    try {
      const { output, err } = capture();
      expect(await runCli(['feed', 'push', 'f'], table, output)).toBe(7);
      expect(err).toEqual([]);
    } finally {
      if (saved === undefined) delete process.env.KAFKA_BROKERS;
      else process.env.KAFKA_BROKERS = saved;
    }
  });

  it('prints help on stdout, a usage error as one line on stderr with status 2', async () => {
    const help = capture();
    expect(await runCli(['--help'], table, help.output)).toBe(0);
    expect(help.out.join('\n')).toContain('dragnet feed push');
    const wrong = capture();
    expect(await runCli(['feed', 'push', '--nope'], table, wrong.output)).toBe(2);
    expect(wrong.err).toHaveLength(1);
    expect(wrong.err[0]).not.toContain('\n');
  });

  it('reports a failure in one line, with the stack only when verbose', async () => {
    const quiet = capture();
    expect(await runCli(['boom'], table, quiet.output)).toBe(1);
    expect(quiet.err).toEqual(['dragnet: first line second line']);
    const verbose = capture();
    expect(await runCli(['boom', '--verbose'], table, verbose.output)).toBe(1);
    expect(verbose.err[0]).toMatch(/first line\nsecond line\n\s+at /);
  });
});

describe('exit status and failure text', () => {
  it('maps usage errors to 2, configuration errors to 78, anything else to 1', () => {
    expect(exitStatusOf(new UsageError('x'))).toBe(2);
    expect(exitStatusOf(Object.assign(new Error('KAFKA_BROKERS: bad'), { name: 'ConfigError' }))).toBe(78);
    expect(exitStatusOf(new Error('x'))).toBe(1);
    expect(
      formatFailure(Object.assign(new Error('KAFKA_BROKERS: bad'), { name: 'ConfigError' }), false),
    ).toBe('dragnet: configuration error: KAFKA_BROKERS: bad');
  });
});

describe('option values', () => {
  it('reads numbers and dates strictly', () => {
    expect(numberOption('count', undefined, 5)).toBe(5);
    expect(numberOption('count', '12', 5)).toBe(12);
    expect(() => numberOption('count', 'twelve', 5)).toThrow(/--count: expected a number/);
    expect(() => numberOption('count', '', 5)).toThrow(UsageError);
    expect(dateOption('base-date', '2026-02-28')).toBe(Date.UTC(2026, 1, 28));
    expect(() => dateOption('base-date', '2026-02-30')).toThrow(/YYYY-MM-DD/);
    expect(() => dateOption('base-date', '28/02/2026')).toThrow(/YYYY-MM-DD/);
  });
});

describe('findCommand', () => {
  it('finds nothing for words that name no command', () => {
    expect(findCommand(table, ['nothing'])).toBeUndefined();
  });
});
