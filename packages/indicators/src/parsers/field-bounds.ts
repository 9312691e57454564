import {
  MAX_DESCRIPTION_LENGTH,
  MAX_FEED_NAME_LENGTH,
  MAX_RECORD_ID_LENGTH,
  MAX_REFERENCE_LENGTH,
  MAX_TAG_LENGTH,
  MAX_TAGS,
  MAX_THREAT_NAME_LENGTH,
  MAX_THREAT_NAMES,
} from '../limits.js';
import type { RejectReason } from '../model.js';
import { cleanText, textProblem } from '../text.js';

/** The free-text fields of a record, as a parser read them. */
export interface FreeText {
  tags?: string[];
  threatNames?: string[];
  description?: string | null;
  reference?: string | null;
  feedName?: string | null;
  recordId?: string | null;
}

export interface FieldProblem {
  field: string;
  reason: RejectReason;
  message: string;
}

export interface BoundedFields {
  tags: string[];
  threatNames: string[];
  description: string | null;
  reference: string | null;
  feedName: string | null;
  recordId: string | null;
  /** One per field that lost something: the record is kept, the loss is a counted reject. */
  problems: FieldProblem[];
}

const WHY: Partial<Record<RejectReason, (maxCount: number, maxLength: number) => string>> = {
  too_many_items: (maxCount) => `more than ${maxCount}`,
  field_too_long: (_, maxLength) => `longer than ${maxLength} characters`,
  control_character: () => 'control characters',
  invalid_utf8: () => 'lone surrogates',
};

/**
 * Drops items that are too long or hold control characters, then keeps at
 * most `maxCount`: one problem per cause, with how many items it dropped.
 */
function boundList(
  field: string,
  items: string[] | undefined,
  maxCount: number,
  maxLength: number,
  problems: FieldProblem[],
): string[] {
  if (!items || items.length === 0) return [];
  let dropped: Map<RejectReason, { count: number; first: string }> | null = null;
  const kept: string[] = [];
  for (const item of items) {
    let reason: RejectReason | null = item.length > maxLength ? 'field_too_long' : textProblem(item);
    if (!reason && kept.length < maxCount) {
      kept.push(item);
      continue;
    }
    reason ??= 'too_many_items';
    dropped ??= new Map();
    const entry = dropped.get(reason);
    if (entry) entry.count++;
    else dropped.set(reason, { count: 1, first: item });
  }
  if (!dropped) return items;
  for (const [reason, { count, first }] of dropped) {
    problems.push({
      field,
      reason,
      message: `${count} of ${items.length} ${field} dropped, ${WHY[reason]!(maxCount, maxLength)}: first ${JSON.stringify(first.slice(0, 60))}`,
    });
  }
  return kept;
}

/** A single-line field (reference, feed name, record id): kept whole or dropped, never cut. */
function boundLine(
  field: string,
  value: string | null | undefined,
  maxLength: number,
  problems: FieldProblem[],
): string | null {
  if (value === null || value === undefined) return null;
  const reason: RejectReason | null = value.length > maxLength ? 'field_too_long' : textProblem(value);
  if (!reason) return value;
  problems.push({
    field,
    reason,
    message: `${field} dropped: ${reason === 'field_too_long' ? `${value.length} characters (at most ${maxLength})` : reason.replace('_', ' ')}`,
  });
  return null;
}

/** The description, cut to its limit, without control characters (tabs and line breaks stay). */
function boundDescription(value: string | null | undefined, problems: FieldProblem[]): string | null {
  if (value === null || value === undefined) return null;
  const tooLong = value.length > MAX_DESCRIPTION_LENGTH;
  const { text, problem } = cleanText(tooLong ? value.slice(0, MAX_DESCRIPTION_LENGTH) : value);
  if (tooLong)
    problems.push({
      field: 'description',
      reason: 'field_too_long',
      message: `description of ${value.length} characters cut to ${MAX_DESCRIPTION_LENGTH}`,
    });
  else if (problem)
    problems.push({
      field: 'description',
      reason: problem,
      message: `description: ${problem === 'control_character' ? 'control characters removed' : 'lone surrogates replaced by U+FFFD'}`,
    });
  return text;
}

/**
 * Every free-text field of one record within its limit (`limits.ts`): what a
 * single record can put into a document is bounded, whatever the partner sent.
 */
export function boundFields(meta: FreeText): BoundedFields {
  const problems: FieldProblem[] = [];
  return {
    tags: boundList('tags', meta.tags, MAX_TAGS, MAX_TAG_LENGTH, problems),
    threatNames: boundList(
      'threatNames',
      meta.threatNames,
      MAX_THREAT_NAMES,
      MAX_THREAT_NAME_LENGTH,
      problems,
    ),
    description: boundDescription(meta.description, problems),
    reference: boundLine('reference', meta.reference, MAX_REFERENCE_LENGTH, problems),
    feedName: boundLine('feedName', meta.feedName, MAX_FEED_NAME_LENGTH, problems),
    recordId: boundLine('recordId', meta.recordId, MAX_RECORD_ID_LENGTH, problems),
    problems,
  };
}
