/**
 * Almost-JSON as partner tools write it: a trailing comma before `]` or `}`,
 * byte-order marks (one at the start is already skipped by the UTF-8
 * decoder; more of them, or one after leading blanks, are not), and the
 * non-JSON numbers `NaN`, `Infinity`, `-Infinity` (Python's json.dumps
 * writes them). Strict JSON.parse loses every record of such a file; this
 * rewrites exactly those constructs outside strings — one linear pass, no
 * backtracking — and parses again. Anything else stays invalid JSON.
 *
 * It runs only after JSON.parse failed, so strict files pay nothing.
 */

export type LenientJson = { ok: true; value: unknown; repairs: string[] } | { ok: false };

const isJsonBlank = (code: number): boolean => code === 32 || code === 9 || code === 10 || code === 13;
const BOM = 0xfeff;

/** Index of the first character at or after `from` that is neither JSON whitespace nor a BOM. */
function nextSignificant(text: string, from: number): number {
  let index = from;
  while (index < text.length) {
    const code = text.charCodeAt(index);
    if (!isJsonBlank(code) && code !== BOM) break;
    index++;
  }
  return index;
}

/** Non-finite number spellings → what they become (null: JSON has no such number). */
const NON_FINITE: readonly (readonly [spelling: string, name: string])[] = [
  ['-Infinity', '-Infinity'],
  ['Infinity', 'Infinity'],
  ['NaN', 'NaN'],
];

const isWordCharacter = (code: number): boolean =>
  (code >= 48 && code <= 57) || ((code | 0x20) >= 97 && (code | 0x20) <= 122) || code === 95;

/** `text` with trailing commas, BOMs and non-finite numbers outside strings rewritten, and what was rewritten. */
export function repairJson(text: string): { text: string; counts: Map<string, number> } {
  const counts = new Map<string, number>();
  const note = (what: string) => counts.set(what, (counts.get(what) ?? 0) + 1);
  let out = '';
  let copied = 0;
  for (let index = 0; index < text.length; index++) {
    const code = text.charCodeAt(index);
    if (code === 34 /* " */) {
      for (index++; index < text.length; index++) {
        const inner = text.charCodeAt(index);
        if (inner === 92) index++;
        else if (inner === 34) break;
      }
    } else if (code === BOM) {
      out += text.slice(copied, index);
      copied = index + 1;
      note('byte-order mark removed');
    } else if (code === 44 /* , */) {
      const next = nextSignificant(text, index + 1);
      const closer = text.charCodeAt(next);
      if (closer === 93 /* ] */ || closer === 125 /* } */) {
        out += text.slice(copied, index);
        copied = index + 1;
        note('trailing comma removed');
      }
    } else if (code === 45 /* - */ || code === 73 /* I */ || code === 78 /* N */) {
      const found = NON_FINITE.find(([spelling]) => text.startsWith(spelling, index));
      const before = index > 0 ? text.charCodeAt(index - 1) : 32;
      const after = found ? text.charCodeAt(index + found[0].length) : 32;
      if (found && !isWordCharacter(before) && !isWordCharacter(after)) {
        out += `${text.slice(copied, index)}null`;
        copied = index + found[0].length;
        index = copied - 1;
        note(`${found[1]} read as null`);
      }
    }
  }
  return { text: copied === 0 ? text : out + text.slice(copied), counts };
}

/** JSON.parse of the repaired text; `ok: false` when there was nothing to repair or it still is not JSON. */
export function parseLenientJson(text: string): LenientJson {
  const repaired = repairJson(text);
  if (repaired.counts.size === 0) return { ok: false };
  try {
    return {
      ok: true,
      value: JSON.parse(repaired.text),
      repairs: [...repaired.counts].map(([what, count]) => (count === 1 ? what : `${what} ×${count}`)),
    };
  } catch {
    return { ok: false };
  }
}
