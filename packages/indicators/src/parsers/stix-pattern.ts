/**
 * A tokenizer and recursive-descent parser for the STIX 2.x patterning
 * language (STIX 2.1 §9): the whole grammar — comparison operators, NOT,
 * LIKE/MATCHES/IN/ISSUBSET/ISSUPERSET, EXISTS, set and typed literals, list
 * indexes in object paths, observation operators and qualifiers. Parsing the
 * whole grammar (rather than matching the shapes Dragnet supports) lets the
 * STIX feed parser say precisely which part of a pattern it cannot index.
 */

import { MAX_PATTERN_DEPTH, MAX_PATTERN_LENGTH } from '../limits.js';

export type Literal =
  | { type: 'string'; value: string }
  | { type: 'number'; value: number }
  | { type: 'boolean'; value: boolean }
  | { type: 'timestamp' | 'hex' | 'binary'; value: string }
  | { type: 'set'; values: Literal[] };

export type ComparisonOperator =
  | '='
  | '!='
  | '<'
  | '<='
  | '>'
  | '>='
  | 'LIKE'
  | 'MATCHES'
  | 'IN'
  | 'ISSUBSET'
  | 'ISSUPERSET'
  | 'EXISTS';

export interface Comparison {
  objectType: string;
  /** Property path components: `hashes.'SHA-256'` → `['hashes', 'SHA-256']`; list indexes as `[*]` / `[0]`. */
  path: string[];
  operator: ComparisonOperator;
  negated: boolean;
  /** Null for EXISTS. */
  literal: Literal | null;
  /** The comparison as written, for messages. */
  source: string;
}

export type ComparisonExpression =
  | { type: 'comparison'; comparison: Comparison }
  | { type: 'and' | 'or'; operands: ComparisonExpression[] };

export type Qualifier = 'WITHIN' | 'REPEATS' | 'START';

export type ObservationExpression =
  | { type: 'observation'; expression: ComparisonExpression; qualifiers: Qualifier[] }
  | { type: 'and' | 'or' | 'followedby'; operands: ObservationExpression[]; qualifiers: Qualifier[] };

export type PatternResult =
  | {
      ok: true;
      expression: ObservationExpression;
      /** Every comparison, in order of appearance. */
      comparisons: Comparison[];
      /** Temporal constructs used anywhere (FOLLOWEDBY, WITHIN, REPEATS, START/STOP): empty for plain patterns. */
      temporal: string[];
      /** The `START t'…' STOP t'…'` windows, timestamps as written. */
      windows: { start: string; stop: string }[];
    }
  | { ok: false; reason: 'invalid_pattern' | 'too_deep' | 'too_large'; message: string };

type TokenType = 'punct' | 'op' | 'string' | 'typed' | 'number' | 'ident';
interface Token {
  type: TokenType;
  text: string;
  /** Decoded value for string and typed literals. */
  value: string;
  start: number;
  end: number;
}

class PatternError extends Error {
  constructor(
    message: string,
    readonly reason: 'invalid_pattern' | 'too_deep' = 'invalid_pattern',
  ) {
    super(message);
  }
}

/** Sticky: matches at `lastIndex` only, without copying the rest of the pattern for each number. */
const NUMBER = /-?\d+(\.\d+)?/y;
const isIdentStart = (char: string) => /[A-Za-z_]/.test(char);
const IDENT_PART = /[A-Za-z0-9_-]/;

/** Reads a `'…'` literal starting at the quote: `\'` and `\\` are the only escapes (STIX 2.1 §9.2). */
function readQuoted(pattern: string, quote: number): { value: string; end: number } {
  let value = '';
  let index = quote + 1;
  for (;;) {
    if (index >= pattern.length) throw new PatternError(`unterminated string literal at ${quote}`);
    const char = pattern[index]!;
    if (char === '\\') {
      const escaped = pattern[index + 1];
      if (escaped !== "'" && escaped !== '\\')
        throw new PatternError(`invalid escape \\${escaped ?? ''} in string literal at ${index}`);
      value += escaped;
      index += 2;
    } else if (char === "'") {
      return { value, end: index + 1 };
    } else {
      value += char;
      index++;
    }
  }
}

export function tokenize(pattern: string): Token[] {
  const tokens: Token[] = [];
  let index = 0;
  while (index < pattern.length) {
    const char = pattern[index]!;
    const start = index;
    if (char === ' ' || char === '\t' || char === '\n' || char === '\r') {
      index++;
      continue;
    }
    if ('[](),:.*'.includes(char)) {
      tokens.push({ type: 'punct', text: char, value: char, start, end: ++index });
    } else if ('=!<>'.includes(char)) {
      const two = pattern.slice(index, index + 2);
      const text = ['!=', '<=', '>=', '=='].includes(two) ? two : char;
      if (text === '!') throw new PatternError(`unexpected ! at ${index}`);
      index += text.length;
      tokens.push({ type: 'op', text: text === '==' ? '=' : text, value: text, start, end: index });
    } else if (char === "'") {
      const { value, end } = readQuoted(pattern, index);
      tokens.push({ type: 'string', text: pattern.slice(start, end), value, start, end });
      index = end;
    } else if (/[-0-9]/.test(char)) {
      NUMBER.lastIndex = index;
      const match = NUMBER.exec(pattern);
      if (!match) throw new PatternError(`unexpected ${char} at ${index}`);
      index += match[0].length;
      tokens.push({ type: 'number', text: match[0], value: match[0], start, end: index });
    } else if (isIdentStart(char)) {
      if ('thb'.includes(char) && pattern[index + 1] === "'") {
        const { value, end } = readQuoted(pattern, index + 1);
        tokens.push({ type: 'typed', text: char, value, start, end });
        index = end;
        continue;
      }
      while (index < pattern.length && IDENT_PART.test(pattern[index]!)) index++;
      const text = pattern.slice(start, index);
      tokens.push({ type: 'ident', text, value: text, start, end: index });
    } else {
      throw new PatternError(`unexpected character ${JSON.stringify(char)} at ${index}`);
    }
  }
  return tokens;
}

const LITERAL_TYPE = { t: 'timestamp', h: 'hex', b: 'binary' } as const;
const KEYWORDS = new Set([
  'AND',
  'OR',
  'NOT',
  'FOLLOWEDBY',
  'LIKE',
  'MATCHES',
  'IN',
  'ISSUBSET',
  'ISSUPERSET',
  'EXISTS',
  'WITHIN',
  'SECONDS',
  'REPEATS',
  'TIMES',
  'START',
  'STOP',
]);

class Parser {
  private position = 0;
  /** Open groups and observations: the parser recurses once per level, so it is capped (MAX_PATTERN_DEPTH). */
  private depth = 0;
  readonly comparisons: Comparison[] = [];
  readonly temporal: string[] = [];
  readonly windows: { start: string; stop: string }[] = [];

  constructor(
    private readonly pattern: string,
    private readonly tokens: Token[],
  ) {}

  private peek(offset = 0): Token | undefined {
    return this.tokens[this.position + offset];
  }

  private isKeyword(word: string, offset = 0): boolean {
    const token = this.peek(offset);
    // STIX 2.1 §9 (and the OASIS grammar): keywords are upper case; `and` is not AND.
    return token?.type === 'ident' && token.text === word;
  }

  private isPunct(text: string): boolean {
    const token = this.peek();
    return token?.type === 'punct' && token.text === text;
  }

  private expectPunct(text: string, context: string): void {
    if (!this.isPunct(text)) throw new PatternError(`expected ${text} ${context}, found ${this.describe()}`);
    this.position++;
  }

  private describe(): string {
    const token = this.peek();
    if (!token) return 'the end of the pattern';
    const upper = token.text.toUpperCase();
    const hint =
      token.type === 'ident' && upper !== token.text && KEYWORDS.has(upper)
        ? ` (keywords are upper case: ${upper})`
        : '';
    return `${JSON.stringify(token.text)}${hint}`;
  }

  parse(): ObservationExpression {
    const expression = this.observationExpressions();
    if (this.position !== this.tokens.length) throw new PatternError(`unexpected ${this.describe()}`);
    return expression;
  }

  // observationExpressions := orExpr (FOLLOWEDBY orExpr)*
  private observationExpressions(): ObservationExpression {
    return this.binary('followedby', 'FOLLOWEDBY', () => this.observationOr());
  }

  private observationOr(): ObservationExpression {
    return this.binary('or', 'OR', () => this.observationAnd());
  }

  private observationAnd(): ObservationExpression {
    return this.binary('and', 'AND', () => this.observation());
  }

  private binary(
    type: 'and' | 'or' | 'followedby',
    keyword: string,
    operand: () => ObservationExpression,
  ): ObservationExpression {
    const operands = [operand()];
    while (this.isKeyword(keyword)) {
      this.position++;
      if (keyword === 'FOLLOWEDBY') this.temporal.push('FOLLOWEDBY');
      operands.push(operand());
    }
    return operands.length === 1 ? operands[0]! : { type, operands, qualifiers: [] };
  }

  // observation := '[' comparisonOr ']' qualifier* | '(' observationExpressions ')' qualifier*
  private enter(): void {
    if (++this.depth > MAX_PATTERN_DEPTH)
      throw new PatternError(`nested deeper than ${MAX_PATTERN_DEPTH} levels`, 'too_deep');
  }

  private observation(): ObservationExpression {
    let expression: ObservationExpression;
    if (this.isPunct('[')) {
      this.position++;
      this.enter();
      const comparison = this.comparisonOr();
      this.expectPunct(']', 'to close the observation');
      this.depth--;
      expression = { type: 'observation', expression: comparison, qualifiers: [] };
    } else if (this.isPunct('(')) {
      this.position++;
      this.enter();
      expression = this.observationExpressions();
      this.expectPunct(')', 'to close the group');
      this.depth--;
    } else {
      throw new PatternError(`expected [ to open an observation, found ${this.describe()}`);
    }
    for (let qualifier = this.qualifier(); qualifier; qualifier = this.qualifier()) {
      expression.qualifiers.push(qualifier);
      this.temporal.push(qualifier === 'START' ? 'START/STOP' : qualifier);
    }
    return expression;
  }

  private qualifier(): Qualifier | null {
    if (this.isKeyword('WITHIN')) {
      this.position++;
      this.expectType('number', 'after WITHIN');
      if (!this.isKeyword('SECONDS')) throw new PatternError('expected SECONDS after WITHIN n');
      this.position++;
      return 'WITHIN';
    }
    if (this.isKeyword('REPEATS')) {
      this.position++;
      this.expectType('number', 'after REPEATS');
      if (!this.isKeyword('TIMES')) throw new PatternError('expected TIMES after REPEATS n');
      this.position++;
      return 'REPEATS';
    }
    if (this.isKeyword('START')) {
      this.position++;
      const start = this.expectType('typed', "(t'…') after START");
      if (!this.isKeyword('STOP')) throw new PatternError('expected STOP after START');
      this.position++;
      const stop = this.expectType('typed', "(t'…') after STOP");
      this.windows.push({ start: start.value, stop: stop.value });
      return 'START';
    }
    return null;
  }

  private expectType(type: TokenType, context: string): Token {
    const token = this.peek();
    if (token?.type !== type)
      throw new PatternError(`expected a ${type} ${context}, found ${this.describe()}`);
    this.position++;
    return token;
  }

  private comparisonOr(): ComparisonExpression {
    const operands = [this.comparisonAnd()];
    while (this.isKeyword('OR')) {
      this.position++;
      operands.push(this.comparisonAnd());
    }
    return operands.length === 1 ? operands[0]! : { type: 'or', operands };
  }

  private comparisonAnd(): ComparisonExpression {
    const operands = [this.propositionTest()];
    while (this.isKeyword('AND')) {
      this.position++;
      operands.push(this.propositionTest());
    }
    return operands.length === 1 ? operands[0]! : { type: 'and', operands };
  }

  private propositionTest(): ComparisonExpression {
    if (this.isPunct('(')) {
      this.position++;
      this.enter();
      const inner = this.comparisonOr();
      this.expectPunct(')', 'to close the comparison group');
      this.depth--;
      return inner;
    }
    const start = this.peek()?.start ?? this.pattern.length;
    if (this.isKeyword('EXISTS')) {
      this.position++;
      const { objectType, path } = this.objectPath();
      return this.record({ objectType, path, operator: 'EXISTS', negated: false, literal: null }, start);
    }
    const { objectType, path } = this.objectPath();
    let negated = false;
    if (this.isKeyword('NOT')) {
      negated = true;
      this.position++;
    }
    const token = this.peek();
    let operator: ComparisonOperator;
    if (token?.type === 'op') {
      operator = token.text as ComparisonOperator;
    } else if (
      token?.type === 'ident' &&
      ['LIKE', 'MATCHES', 'IN', 'ISSUBSET', 'ISSUPERSET'].includes(token.text)
    ) {
      operator = token.text as ComparisonOperator;
    } else {
      throw new PatternError(
        `expected a comparison operator after ${objectType}:${path.join('.')}, found ${this.describe()}`,
      );
    }
    this.position++;
    const literal = operator === 'IN' ? this.setLiteral() : this.literal();
    return this.record({ objectType, path, operator, negated, literal }, start);
  }

  private record(comparison: Omit<Comparison, 'source'>, start: number): ComparisonExpression {
    const end = this.tokens[this.position - 1]?.end ?? this.pattern.length;
    const full: Comparison = { ...comparison, source: this.pattern.slice(start, end) };
    this.comparisons.push(full);
    return { type: 'comparison', comparison: full };
  }

  // objectPath := objectType ':' component ('.' component | '[' (int | '*') ']')*
  private objectPath(): { objectType: string; path: string[] } {
    const type = this.peek();
    if (type?.type !== 'ident') throw new PatternError(`expected an object type, found ${this.describe()}`);
    this.position++;
    this.expectPunct(':', `after object type ${type.text}`);
    const path = [this.pathComponent()];
    for (;;) {
      if (this.isPunct('.')) {
        this.position++;
        path.push(this.pathComponent());
      } else if (this.isPunct('[') && (this.peek(1)?.type === 'number' || this.peek(1)?.text === '*')) {
        path.push(`[${this.peek(1)!.text}]`);
        this.position += 2;
        this.expectPunct(']', 'to close the list index');
      } else {
        return { objectType: type.text, path };
      }
    }
  }

  private pathComponent(): string {
    const token = this.peek();
    if (token?.type === 'ident' || token?.type === 'string') {
      this.position++;
      return token.value;
    }
    throw new PatternError(`expected a property name, found ${this.describe()}`);
  }

  private literal(): Literal {
    const token = this.peek();
    if (!token) throw new PatternError('expected a value, found the end of the pattern');
    this.position++;
    switch (token.type) {
      case 'string':
        return { type: 'string', value: token.value };
      case 'number':
        return { type: 'number', value: Number(token.text) };
      case 'typed':
        return { type: LITERAL_TYPE[token.text as keyof typeof LITERAL_TYPE], value: token.value };
      case 'ident': {
        const word = token.text.toLowerCase();
        if (word === 'true' || word === 'false') return { type: 'boolean', value: word === 'true' };
        break;
      }
      default:
        break;
    }
    throw new PatternError(`expected a value, found ${JSON.stringify(token.text)}`);
  }

  private setLiteral(): Literal {
    this.expectPunct('(', 'to open the set after IN');
    const values = [this.literal()];
    while (this.isPunct(',')) {
      this.position++;
      values.push(this.literal());
    }
    this.expectPunct(')', 'to close the set');
    return { type: 'set', values };
  }
}

/** Parses a STIX pattern; on failure the message says what and where (character offset). */
export function parseStixPattern(pattern: string): PatternResult {
  if (pattern.length > MAX_PATTERN_LENGTH) {
    return {
      ok: false,
      reason: 'too_large',
      message: `pattern of ${pattern.length} characters (at most ${MAX_PATTERN_LENGTH})`,
    };
  }
  try {
    const parser = new Parser(pattern, tokenize(pattern));
    const expression = parser.parse();
    return {
      ok: true,
      expression,
      comparisons: parser.comparisons,
      temporal: parser.temporal,
      windows: parser.windows,
    };
  } catch (error) {
    if (error instanceof PatternError)
      return { ok: false, reason: error.reason, message: `invalid STIX pattern: ${error.message}` };
    throw error;
  }
}

/** `file:hashes.'SHA-256'` style rendering of a comparison's object path. */
export function renderPath(comparison: Pick<Comparison, 'objectType' | 'path'>): string {
  let text = `${comparison.objectType}:`;
  comparison.path.forEach((component, index) => {
    if (component.startsWith('[')) text += component;
    else {
      const quoted = /^[A-Za-z_][A-Za-z0-9_]*$/.test(component) ? component : `'${component}'`;
      text += index === 0 ? quoted : `.${quoted}`;
    }
  });
  return text;
}
