import { describe, expect, it } from 'vitest';
import { splitFeedFile } from './split.js';

describe('splitFeedFile', () => {
  it('splits line lists into bounded messages and repeats the header', () => {
    const file = Buffer.from('value,type\n1.2.3.4,ipv4\n5.6.7.8,ipv4\nexample.com,domain\n');
    const messages = splitFeedFile(file, { type: 'csv', hasHeader: true }, 2).map(String);
    expect(messages).toEqual([
      'value,type\n1.2.3.4,ipv4\n5.6.7.8,ipv4\n',
      'value,type\nexample.com,domain\n',
    ]);
  });

  it('keeps every line exactly once without a header', () => {
    const lines = Array.from({ length: 1_001 }, (_, index) => `10.0.${index >> 8}.${index & 255}`);
    const messages = splitFeedFile(Buffer.from(`${lines.join('\r\n')}\r\n`), { type: 'csv' }, 100);
    expect(messages).toHaveLength(11);
    expect(messages.flatMap((message) => String(message).trimEnd().split('\n'))).toEqual(lines);
  });

  it('sends JSON documents whole', () => {
    const file = Buffer.from('{"type":"bundle"}');
    expect(splitFeedFile(file, { type: 'stix' }, 10)).toEqual([file]);
  });
});
