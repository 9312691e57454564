/**
 * A parser for the subset of the STIX patterning language that reduces to
 * observables: comparison expressions `[object:path = 'value']` joined with
 * AND / OR, inside one observation or across observations. Everything else
 * (other operators, qualifiers such as WITHIN or REPEATS, FOLLOWEDBY, NOT) is
 * reported with what it was, so the indicator is a reject with a reason.
 */

export interface Comparison {
  objectType: string;
  path: string;
  value: string;
}

export type PatternResult = { ok: true; comparisons: Comparison[] } | { ok: false; message: string };

type Token =
  | { kind: 'lbracket' | 'rbracket' | 'lparen' | 'rparen' }
  | { kind: 'word'; text: string }
  | { kind: 'string'; text: string }
  | { kind: 'operator'; text: string };

function tokenize(pattern: string): Token[] | string {
  const tokens: Token[] = [];
  let index = 0;
  while (index < pattern.length) {
    const char = pattern[index]!;
    if (/\s/.test(char)) {
      index++;
    } else if (char === '[' || char === ']' || char === '(' || char === ')') {
      tokens.push({
        kind: ({ '[': 'lbracket', ']': 'rbracket', '(': 'lparen', ')': 'rparen' } as const)[char],
      });
      index++;
    } else if (char === "'") {
      let text = '';
      index++;
      for (;;) {
        if (index >= pattern.length) return 'unterminated string literal';
        const next = pattern[index]!;
        if (next === '\\') {
          const escaped = pattern[index + 1];
          if (escaped !== "'" && escaped !== '\\')
            return `invalid escape \\${escaped ?? ''} in string literal`;
          text += escaped;
          index += 2;
        } else if (next === "'") {
          index++;
          break;
        } else {
          text += next;
          index++;
        }
      }
      tokens.push({ kind: 'string', text });
    } else if (char === '=' || char === '!' || char === '<' || char === '>') {
      const two = pattern.slice(index, index + 2);
      const text = ['!=', '<=', '>='].includes(two) ? two : char;
      tokens.push({ kind: 'operator', text });
      index += text.length;
    } else {
      // Object paths contain quoted segments: file:hashes.'SHA-256'
      let text = '';
      while (index < pattern.length && !/[\s[\]()=!<>]/.test(pattern[index]!)) {
        if (pattern[index] === "'") {
          const close = pattern.indexOf("'", index + 1);
          if (close === -1) return 'unterminated quoted path segment';
          text += pattern.slice(index, close + 1);
          index = close + 1;
        } else {
          text += pattern[index];
          index++;
        }
      }
      if (text.length === 0) return `unexpected character ${JSON.stringify(char)}`;
      tokens.push({ kind: 'word', text });
    }
  }
  return tokens;
}

/** Reduces a pattern to the comparisons it consists of, or says why it cannot. */
export function parseStixPattern(pattern: string): PatternResult {
  const tokens = tokenize(pattern);
  if (typeof tokens === 'string') return { ok: false, message: `cannot read pattern: ${tokens}` };
  const comparisons: Comparison[] = [];
  let position = 0;
  const peek = () => tokens[position];
  const fail = (message: string): PatternResult => ({ ok: false, message });

  // observation := '[' comparison ((AND|OR) comparison)* ']' | '(' expression ')'
  // expression  := observation ((AND|OR) observation)*
  const parseComparison = (): string | null => {
    const path = peek();
    if (path?.kind === 'lparen') {
      position++;
      const inner = parseComparisonList();
      if (inner) return inner;
      if (peek()?.kind !== 'rparen') return 'missing )';
      position++;
      return null;
    }
    if (path?.kind !== 'word') return 'expected an object path';
    position++;
    if (path.text.toUpperCase() === 'NOT') return 'NOT is not supported';
    const operator = peek();
    if (operator?.kind === 'word') return `operator ${operator.text.toUpperCase()} is not supported (only =)`;
    if (operator?.kind !== 'operator') return `expected = after ${path.text}`;
    if (operator.text !== '=') return `operator ${operator.text} is not supported (only =)`;
    position++;
    const value = peek();
    if (value?.kind !== 'string') return `expected a quoted string after ${path.text} =`;
    position++;
    const colon = path.text.indexOf(':');
    if (colon === -1) return `object path without object type: ${path.text}`;
    comparisons.push({
      objectType: path.text.slice(0, colon),
      path: path.text.slice(colon + 1),
      value: value.text,
    });
    return null;
  };
  const parseComparisonList = (): string | null => {
    const first = parseComparison();
    if (first) return first;
    for (;;) {
      const next = peek();
      if (next?.kind !== 'word' || !['AND', 'OR'].includes(next.text.toUpperCase())) return null;
      position++;
      const error = parseComparison();
      if (error) return error;
    }
  };
  const parseObservation = (): string | null => {
    const token = peek();
    if (token?.kind === 'lparen') {
      position++;
      const error = parseExpression();
      if (error) return error;
      if (peek()?.kind !== 'rparen') return 'missing )';
      position++;
      return null;
    }
    if (token?.kind !== 'lbracket') return 'expected [';
    position++;
    const error = parseComparisonList();
    if (error) return error;
    if (peek()?.kind !== 'rbracket') return 'expected ]';
    position++;
    const qualifier = peek();
    if (
      qualifier?.kind === 'word' &&
      ['WITHIN', 'REPEATS', 'START', 'STOP'].includes(qualifier.text.toUpperCase())
    ) {
      return `qualifier ${qualifier.text.toUpperCase()} is not supported`;
    }
    return null;
  };
  const parseExpression = (): string | null => {
    const first = parseObservation();
    if (first) return first;
    for (;;) {
      const next = peek();
      if (next?.kind !== 'word') return null;
      const word = next.text.toUpperCase();
      if (word === 'FOLLOWEDBY') return 'FOLLOWEDBY is not supported';
      if (word !== 'AND' && word !== 'OR') return `unexpected ${next.text}`;
      position++;
      const error = parseObservation();
      if (error) return error;
    }
  };
  const error = parseExpression();
  if (error) return fail(error);
  if (position !== tokens.length) return fail('unexpected text after the pattern');
  return { ok: true, comparisons };
}
