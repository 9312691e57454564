/**
 * RFC 8785 (JCS) serialisation of a JSON string. JCS string escaping is
 * ECMAScript's JSON.stringify escaping (RFC 8785 §3.2.2.2), so the slow path
 * defers to it; the fast path skips it for the common value that needs no
 * escaping at all (no quote, backslash, control character or surrogate).
 */
export function jcsString(value: string): string {
  return needsNoEscaping(value) ? `"${value}"` : JSON.stringify(value);
}

/** True when `jcsString(value)` is just `value` in quotes. */
export function needsNoEscaping(value: string): boolean {
  for (let position = 0; position < value.length; position++) {
    const code = value.charCodeAt(position);
    if (code < 0x20 || code === 0x22 || code === 0x5c || (code >= 0xd800 && code <= 0xdfff)) return false;
  }
  return true;
}
