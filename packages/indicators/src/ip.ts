/**
 * IP address parsing and RFC 5952 formatting, written as character scans
 * rather than regular expressions: these run once per record on the hot path.
 */

const DIGIT_0 = 48;
const DIGIT_9 = 57;

/**
 * Strict dotted-decimal IPv4: exactly four decimal octets 0–255 without
 * leading zeros. `010.1.1.1` is octal to inet_aton and decimal to others, so
 * it is ambiguous and rejected rather than guessed.
 */
export function parseIpv4(value: string): number[] | null {
  const octets = [0, 0, 0, 0];
  return scanIpv4(value, 0, value.length, octets) ? octets : null;
}

/** True when `value` is already a strict dotted-decimal IPv4 address (no allocation). */
export function isIpv4(value: string): boolean {
  return scanIpv4(value, 0, value.length, null);
}

function scanIpv4(value: string, start: number, end: number, out: number[] | null): boolean {
  let octet = 0;
  let digits = 0;
  let index = 0;
  let leadingZero = false;
  for (let position = start; position < end; position++) {
    const code = value.charCodeAt(position);
    if (code >= DIGIT_0 && code <= DIGIT_9) {
      if (leadingZero) return false;
      if (digits === 0 && code === DIGIT_0) leadingZero = true;
      octet = octet * 10 + (code - DIGIT_0);
      if (++digits > 3 || octet > 255) return false;
    } else if (code === 46 /* . */) {
      if (digits === 0 || index === 3) return false;
      if (out) out[index] = octet;
      index++;
      octet = 0;
      digits = 0;
      leadingZero = false;
    } else {
      return false;
    }
  }
  if (digits === 0 || index !== 3) return false;
  if (out) out[3] = octet;
  return true;
}

function hexValue(code: number): number {
  if (code >= DIGIT_0 && code <= DIGIT_9) return code - DIGIT_0;
  const lower = code | 0x20;
  if (lower >= 97 && lower <= 102) return lower - 87;
  return -1;
}

/** Groups of `text[start, end)` separated by `:`; an embedded IPv4 tail only when `allowV4Tail`. */
function parseGroups(text: string, start: number, end: number, allowV4Tail: boolean): number[] | null {
  const groups: number[] = [];
  if (start === end) return groups;
  let position = start;
  while (position <= end) {
    let next = text.indexOf(':', position);
    if (next === -1 || next > end) next = end;
    if (next === position) return null;
    if (next === end && allowV4Tail && text.indexOf('.', position) !== -1) {
      const v4 = [0, 0, 0, 0];
      if (!scanIpv4(text, position, end, v4)) return null;
      groups.push((v4[0]! << 8) | v4[1]!, (v4[2]! << 8) | v4[3]!);
      return groups;
    }
    if (next - position > 4) return null;
    let group = 0;
    for (let index = position; index < next; index++) {
      const digit = hexValue(text.charCodeAt(index));
      if (digit < 0) return null;
      group = (group << 4) | digit;
    }
    groups.push(group);
    position = next + 1;
  }
  return groups;
}

/**
 * IPv6 text to eight 16-bit groups; accepts an embedded IPv4 tail
 * (`::ffff:1.2.3.4`). Zone ids (`fe80::1%eth0`) are rejected: they name an
 * interface on one host, not an observable.
 */
export function parseIpv6(value: string): number[] | null {
  if (value.length < 2 || value.length > 45) return null;
  const gap = value.indexOf('::');
  if (gap === -1) {
    const groups = parseGroups(value, 0, value.length, true);
    return groups && groups.length === 8 ? groups : null;
  }
  if (value.indexOf('::', gap + 1) !== -1) return null;
  const head = parseGroups(value, 0, gap, false);
  const tail = parseGroups(value, gap + 2, value.length, true);
  if (!head || !tail) return null;
  // `::` stands for at least one zero group (RFC 4291 §2.2).
  const missing = 8 - head.length - tail.length;
  if (missing < 1) return null;
  for (let index = 0; index < missing; index++) head.push(0);
  for (const group of tail) head.push(group);
  return head;
}

/**
 * RFC 5952 text form: lower case, no leading zeros, the longest run (≥ 2) of
 * zero groups as `::` (the first on a tie), and IPv4-mapped addresses
 * (`::ffff:0:0/96`) with a dotted-quad tail (RFC 5952 §5).
 */
export function formatIpv6(groups: number[]): string {
  if (
    groups[0] === 0 &&
    groups[1] === 0 &&
    groups[2] === 0 &&
    groups[3] === 0 &&
    groups[4] === 0 &&
    groups[5] === 0xffff
  ) {
    return `::ffff:${groups[6]! >> 8}.${groups[6]! & 255}.${groups[7]! >> 8}.${groups[7]! & 255}`;
  }
  let bestStart = -1;
  let bestLength = 0;
  for (let index = 0; index < 8; ) {
    if (groups[index] !== 0) {
      index++;
      continue;
    }
    let end = index;
    while (end < 8 && groups[end] === 0) end++;
    if (end - index > bestLength) {
      bestStart = index;
      bestLength = end - index;
    }
    index = end;
  }
  const hex = groups.map((group) => group.toString(16));
  if (bestLength < 2) return hex.join(':');
  return `${hex.slice(0, bestStart).join(':')}::${hex.slice(bestStart + bestLength).join(':')}`;
}

/** Zeroes the host bits beyond `prefix` of an address given as groups of `bitsPerGroup` bits. */
export function maskToPrefix(groups: number[], bitsPerGroup: number, prefix: number): number[] {
  return groups.map((group, index) => {
    const start = index * bitsPerGroup;
    if (prefix >= start + bitsPerGroup) return group;
    if (prefix <= start) return 0;
    const keep = prefix - start;
    const mask = ((1 << keep) - 1) << (bitsPerGroup - keep);
    return group & mask;
  });
}
