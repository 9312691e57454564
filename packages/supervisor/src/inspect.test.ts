import { describe, expect, it } from 'vitest';
import { formatReports, recordsIn } from './inspect.js';

describe('dragnet ps figures', () => {
  it('sums dragnet_records_in_total over its labels, 0 before the first record, none without the counter', () => {
    const page = [
      '# HELP dragnet_records_in_total Records consumed',
      '# TYPE dragnet_records_in_total counter',
      'dragnet_records_in_total{topic="a"} 40',
      'dragnet_records_in_total{topic="b"} 2',
      'dragnet_records_out_total{target="changes"} 7',
    ].join('\n');
    expect(recordsIn(page)).toBe(42);
    expect(recordsIn('# HELP dragnet_records_in_total x\n# TYPE dragnet_records_in_total counter\n')).toBe(0);
    expect(recordsIn('process_cpu_seconds_total 1\n')).toBeNull();
  });

  it('prints one aligned row per service, with dashes for what is unknown', () => {
    expect(
      formatReports([
        { name: 'indexer', pid: 12, health: 'ready', rate: 1500, rssMb: 151, restarts: 1 },
        { name: 'api', pid: null, health: 'down', rate: null, rssMb: null, restarts: 0 },
      ]),
    ).toBe(
      [
        'service  pid  health  records/s  memory  restarts',
        'indexer  12   ready   1500       151 MB  1',
        'api      -    down    -          -       0',
      ].join('\n'),
    );
  });
});
