/**
 * How a feed file becomes Kafka messages. Line-oriented lists are split into
 * messages of at most `linesPerMessage` lines (the header, if the format has
 * one, is repeated in each), so a million-line list never becomes one giant
 * record; JSON documents and Avro batches go as one message each.
 */
export function splitFeedFile(
  bytes: Buffer,
  format: { type: string; hasHeader?: boolean },
  linesPerMessage: number,
): Buffer[] {
  if (format.type !== 'csv') return [bytes];
  const text = bytes.toString('utf8');
  const lines = text.split(/\r?\n/);
  if (lines.at(-1) === '') lines.pop();
  const header = format.hasHeader ? lines.shift() : undefined;
  const messages: Buffer[] = [];
  for (let start = 0; start < lines.length; start += linesPerMessage) {
    const chunk = lines.slice(start, start + linesPerMessage);
    messages.push(Buffer.from(`${header !== undefined ? `${header}\n` : ''}${chunk.join('\n')}\n`));
  }
  return messages;
}
