/**
 * A bounded structural check of Avro binary data against a writer schema,
 * run before decoding partner input. avsc trusts array and map block counts:
 * a corrupt or hostile message claiming 2^40 items would keep a decoder busy
 * long after the bytes ran out. Here every read is checked against the end of
 * the buffer, so the check is linear in the message size.
 */
import { isUtf8 } from 'node:buffer';

type Schema =
  | string
  | Schema[]
  | {
      type: string;
      fields?: { type: Schema }[];
      items?: Schema;
      values?: Schema;
      symbols?: string[];
      size?: number;
    };

class Reader {
  position = 0;
  /** Index of the current item of the outermost array (the batch's indicators), -1 outside it. */
  outerItem = -1;
  arrayDepth = 0;
  /** Outermost array items holding a string that is not UTF-8 (avsc would decode it with U+FFFD). */
  readonly invalidUtf8Items = new Set<number>();
  constructor(readonly bytes: Uint8Array) {}

  private byte(): number {
    if (this.position >= this.bytes.length) throw new Error('truncated: read past the end of the message');
    return this.bytes[this.position++]!;
  }

  long(): number {
    let result = 0;
    let multiplier = 1;
    for (let count = 0; ; count++) {
      if (count > 9) throw new Error('varint longer than 10 bytes');
      const byte = this.byte();
      result += (byte & 0x7f) * multiplier;
      multiplier *= 128;
      if ((byte & 0x80) === 0) break;
    }
    // zig-zag decoding on a non-negative integer below 2^64 (precision loss is irrelevant for bounds).
    return result % 2 === 0 ? result / 2 : -(result + 1) / 2;
  }

  skip(length: number): void {
    if (length < 0 || this.position + length > this.bytes.length)
      throw new Error(`length ${length} exceeds the message`);
    this.position += length;
  }

  get remaining(): number {
    return this.bytes.length - this.position;
  }
}

function check(reader: Reader, schema: Schema, named: Map<string, Schema>): void {
  if (Array.isArray(schema)) {
    const branch = reader.long();
    if (branch < 0 || branch >= schema.length) throw new Error(`union branch ${branch} out of range`);
    return check(reader, schema[branch]!, named);
  }
  const type = typeof schema === 'string' ? schema : schema.type;
  switch (type) {
    case 'null':
      return;
    case 'boolean':
      return reader.skip(1);
    case 'int':
    case 'long':
      reader.long();
      return;
    case 'float':
      return reader.skip(4);
    case 'double':
      return reader.skip(8);
    case 'string':
      return checkString(reader);
    case 'bytes':
      return reader.skip(reader.long());
    case 'fixed':
      return reader.skip((schema as { size: number }).size);
    case 'enum': {
      const index = reader.long();
      if (index < 0 || index >= ((schema as { symbols: string[] }).symbols?.length ?? 0))
        throw new Error(`enum index ${index} out of range`);
      return;
    }
    case 'record': {
      const record = schema as { name?: string; fields: { type: Schema }[] };
      if (record.name) named.set(record.name, schema);
      for (const field of record.fields) check(reader, field.type, named);
      return;
    }
    case 'array':
      return checkBlocks(reader, (schema as { items: Schema }).items, false, named);
    case 'map':
      return checkBlocks(reader, (schema as { values: Schema }).values, true, named);
    default: {
      const reference = named.get(type);
      if (!reference) throw new Error(`unknown type ${type}`);
      return check(reader, reference, named);
    }
  }
}

/** A string: its length within the message, and its bytes UTF-8 (else its outermost item is marked). */
function checkString(reader: Reader): void {
  const length = reader.long();
  const start = reader.position;
  reader.skip(length);
  const end = reader.position;
  if (!isUtf8Range(reader.bytes, start, end)) reader.invalidUtf8Items.add(reader.outerItem);
}

/**
 * The blocks of an array or map: each block's item count is bounded by the
 * bytes left (an item takes at least one), so a claimed 2^40 items fails at once.
 */
function checkBlocks(reader: Reader, inner: Schema, isMap: boolean, named: Map<string, Schema>): void {
  const outermost = !isMap && reader.arrayDepth === 0;
  let item = 0;
  reader.arrayDepth++;
  for (let count = reader.long(); count !== 0; count = reader.long()) {
    if (count < 0) {
      count = -count;
      reader.long();
    }
    if (count > reader.remaining) throw new Error(`block of ${count} items exceeds the message`);
    for (let index = 0; index < count; index++) {
      if (outermost) reader.outerItem = item++;
      if (isMap) reader.skip(reader.long());
      check(reader, inner, named);
    }
  }
  reader.arrayDepth--;
}

/** Whether bytes[start, end) are UTF-8: an ASCII scan first (most strings), node's validator otherwise. */
function isUtf8Range(bytes: Uint8Array, start: number, end: number): boolean {
  for (let index = start; index < end; index++) {
    if (bytes[index]! >= 0x80) return isUtf8(bytes.subarray(index, end));
  }
  return true;
}

/**
 * Throws with the reason when `bytes` is not exactly one datum of `schema`.
 * Returns the indexes of the outermost array's items (a partner batch's
 * indicators) that hold a string that is not valid UTF-8: avsc decodes those
 * with U+FFFD replacement, so only the bytes can tell.
 */
export function assertAvroStructure(bytes: Uint8Array, schema: Schema): ReadonlySet<number> {
  const reader = new Reader(bytes);
  check(reader, schema, new Map());
  if (reader.remaining !== 0) throw new Error(`${reader.remaining} trailing bytes after the record`);
  return reader.invalidUtf8Items;
}
