/**
 * SHA-1 in plain JavaScript over reused buffers, for UUIDv5 ids. Node's
 * crypto costs ~1.5–3 µs per call in binding overhead alone, for inputs of
 * one or two 64-byte blocks; this runs the compression in-process without
 * allocating. Not for security: STIX ids only need SHA-1's determinism.
 * Verified against node:crypto by a property test (sha1.test.ts).
 */
const W = new Int32Array(80);
const STATE = new Int32Array(5);
let block = new Uint8Array(256);
const DIGEST = new Uint8Array(20);
const encoder = new TextEncoder();

function compress(bytes: Uint8Array, offset: number): void {
  for (let index = 0; index < 16; index++) {
    const at = offset + index * 4;
    W[index] = (bytes[at]! << 24) | (bytes[at + 1]! << 16) | (bytes[at + 2]! << 8) | bytes[at + 3]!;
  }
  for (let index = 16; index < 80; index++) {
    const x = W[index - 3]! ^ W[index - 8]! ^ W[index - 14]! ^ W[index - 16]!;
    W[index] = (x << 1) | (x >>> 31);
  }
  let a = STATE[0]!;
  let b = STATE[1]!;
  let c = STATE[2]!;
  let d = STATE[3]!;
  let e = STATE[4]!;
  // Four loops rather than one with a branch per round: the round function is then constant in each.
  for (let index = 0; index < 20; index++) {
    const temp = (((a << 5) | (a >>> 27)) + ((b & c) | (~b & d)) + e + 0x5a827999 + W[index]!) | 0;
    e = d;
    d = c;
    c = (b << 30) | (b >>> 2);
    b = a;
    a = temp;
  }
  for (let index = 20; index < 40; index++) {
    const temp = (((a << 5) | (a >>> 27)) + (b ^ c ^ d) + e + 0x6ed9eba1 + W[index]!) | 0;
    e = d;
    d = c;
    c = (b << 30) | (b >>> 2);
    b = a;
    a = temp;
  }
  for (let index = 40; index < 60; index++) {
    const temp = (((a << 5) | (a >>> 27)) + ((b & c) | (b & d) | (c & d)) + e + 0x8f1bbcdc + W[index]!) | 0;
    e = d;
    d = c;
    c = (b << 30) | (b >>> 2);
    b = a;
    a = temp;
  }
  for (let index = 60; index < 80; index++) {
    const temp = (((a << 5) | (a >>> 27)) + (b ^ c ^ d) + e + 0xca62c1d6 + W[index]!) | 0;
    e = d;
    d = c;
    c = (b << 30) | (b >>> 2);
    b = a;
    a = temp;
  }
  STATE[0] = (STATE[0]! + a) | 0;
  STATE[1] = (STATE[1]! + b) | 0;
  STATE[2] = (STATE[2]! + c) | 0;
  STATE[3] = (STATE[3]! + d) | 0;
  STATE[4] = (STATE[4]! + e) | 0;
}

/** Appends the UTF-8 of `text` at `length`; returns the new length. ASCII (the usual case) is copied inline. */
function append(text: string, length: number): number {
  for (let index = 0; index < text.length; index++) {
    const code = text.charCodeAt(index);
    if (code > 127) return length + encoder.encodeInto(text, block.subarray(length)).written;
    block[length + index] = code;
  }
  return length + text.length;
}

/**
 * SHA-1 of `prefix` bytes followed by the UTF-8 of `head`, `body` and
 * `tail` (three parts so callers need not concatenate a string per record).
 * Returns a shared 20-byte view that the next call overwrites.
 */
export function sha1(prefix: Uint8Array, head: string, body = '', tail = ''): Uint8Array {
  // UTF-8 needs at most 3 bytes per UTF-16 unit; +72 leaves room for padding and length.
  const needed = prefix.length + (head.length + body.length + tail.length) * 3 + 72;
  if (block.length < needed) block = new Uint8Array(Math.max(needed, block.length * 2));
  block.set(prefix, 0);
  let length = append(head, prefix.length);
  length = append(body, length);
  length = append(tail, length);
  const padded = (((length + 8) >>> 6) + 1) << 6;
  block[length] = 0x80;
  block.fill(0, length + 1, padded);
  const bits = length * 8;
  const high = Math.floor(bits / 0x100000000);
  block[padded - 8] = high >>> 24;
  block[padded - 7] = (high >>> 16) & 255;
  block[padded - 6] = (high >>> 8) & 255;
  block[padded - 5] = high & 255;
  block[padded - 4] = bits >>> 24;
  block[padded - 3] = (bits >>> 16) & 255;
  block[padded - 2] = (bits >>> 8) & 255;
  block[padded - 1] = bits & 255;
  STATE[0] = 0x67452301;
  STATE[1] = 0xefcdab89 | 0;
  STATE[2] = 0x98badcfe | 0;
  STATE[3] = 0x10325476;
  STATE[4] = 0xc3d2e1f0 | 0;
  for (let offset = 0; offset < padded; offset += 64) compress(block, offset);
  for (let index = 0; index < 5; index++) {
    const word = STATE[index]!;
    DIGEST[index * 4] = word >>> 24;
    DIGEST[index * 4 + 1] = (word >>> 16) & 255;
    DIGEST[index * 4 + 2] = (word >>> 8) & 255;
    DIGEST[index * 4 + 3] = word & 255;
  }
  return DIGEST;
}
