import { DEFAULT_GRANULARITY_MS, mergeReport, stateToDocument } from '@dragnet/document';
import { type IndicatorKind, observableId } from '@dragnet/indicators';
import { describe, expect, it } from 'vitest';
import { documentStixObjects, type StixObject } from './stix-bundle.js';

const T0 = Date.UTC(2026, 0, 10, 12);

function documentOf(kind: IndicatorKind, value: string, tags: string[] = []): Record<string, unknown> {
  const { state } = mergeReport(
    null,
    {
      id: observableId(kind, value),
      kind,
      value,
      provider: 'acme',
      feedName: 'f',
      firstSeen: T0,
      lastSeen: T0,
      confidence: 80,
      tlp: 'green',
      tags,
      threatNames: [],
      description: null,
      reference: null,
      validUntil: null,
      provenance: { topic: 't', partition: 0, offset: '0', recordId: null },
    },
    { granularityMs: DEFAULT_GRANULARITY_MS, defaultTlp: 'green' },
  );
  return stateToDocument(state, {
    now: T0,
    scoring: { score: 50, baseScore: 50, expired: false, expiresAt: null },
  });
}

const objectsOf = (kind: IndicatorKind, value: string): StixObject[] =>
  documentStixObjects(documentOf(kind, value)).own;
const ofType = (objects: StixObject[], type: string) => objects.filter((object) => object.type === type);

// Expected patterns and properties are written out from STIX 2.1 §6 (SCO definitions) and §9 (patterning).
describe('STIX objects of every kind', () => {
  it.each([
    [
      'sha384',
      'a'.repeat(96),
      "[file:hashes.'SHA-384' = '" + 'a'.repeat(96) + "']",
      { hashes: { 'SHA-384': 'a'.repeat(96) } },
    ],
    ['asn', '13335', '[autonomous-system:number = 13335]', { number: 13335 }],
    ['mutex', 'Global\\evil', "[mutex:name = 'Global\\\\evil']", { name: 'Global\\evil' }],
    ['ipv4', '198.51.100.7', "[ipv4-addr:value = '198.51.100.7']", { value: '198.51.100.7' }],
    // No STIX 2.1 SCO for these: `x-` custom observables with a `value` (kinds.ts, `customValueSpec`).
    [
      'ja3',
      'e7d705a3286e19ea42f587b344ee6865',
      "[x-ja3-fingerprint:value = 'e7d705a3286e19ea42f587b344ee6865']",
      { type: 'x-ja3-fingerprint', value: 'e7d705a3286e19ea42f587b344ee6865' },
    ],
    [
      'jarm',
      `27d40d40d29d40d1dc42d43d00041d${'a'.repeat(32)}`,
      `[x-jarm-fingerprint:value = '27d40d40d29d40d1dc42d43d00041d${'a'.repeat(32)}']`,
      { type: 'x-jarm-fingerprint', value: `27d40d40d29d40d1dc42d43d00041d${'a'.repeat(32)}` },
    ],
    ['phone', '+15550100199', "[x-phone-number:value = '+15550100199']", { type: 'x-phone-number' }],
  ] as const)(
    '%s: a pattern on its defining property and the SCO carrying it',
    (kind, value, pattern, properties) => {
      const objects = objectsOf(kind, value);
      const [indicator] = ofType(objects, 'indicator');
      expect(indicator).toMatchObject({ pattern, pattern_type: 'stix', pattern_version: '2.1' });
      const observable = objects.find((object) => object.id === observableId(kind, value));
      expect(observable).toMatchObject(properties);
      expect(ofType(objects, 'relationship')).toHaveLength(1);
      expect(JSON.stringify(objects)).not.toContain('undefined');
    },
  );

  it('a file path is a file named in a directory, and the directory comes along', () => {
    const objects = objectsOf('file-path', 'C:\\Windows\\Temp\\evil.exe');
    const directory = ofType(objects, 'directory')[0];
    expect(directory).toMatchObject({ path: 'C:\\Windows\\Temp' });
    const file = ofType(objects, 'file')[0];
    expect(file).toMatchObject({ name: 'evil.exe', parent_directory_ref: directory?.id });
    expect(ofType(objects, 'indicator')[0]?.pattern).toBe(
      "[file:name = 'evil.exe' AND file:parent_directory_ref.path = 'C:\\\\Windows\\\\Temp']",
    );
  });

  it('a YARA rule is an indicator in its own pattern language, with no observable', () => {
    const rule = 'rule evil { strings: $a = "x" condition: $a }';
    const objects = objectsOf('yara', rule);
    expect(objects.map((object) => object.type).sort()).toEqual(['indicator', 'sighting']);
    expect(objects[0]).toMatchObject({ pattern: rule, pattern_type: 'yara' });
    expect(objects[0]).not.toHaveProperty('pattern_version');
  });

  it('a DNS name with an underscore is exported as its indicator and pattern, with no domain-name SCO', () => {
    // Found by validating the whole shared corpus: an ESET hostname of a dynamic-DNS C2. DNS allows
    // the underscore; STIX's domain-name follows RFC 1034's host syntax, and the validator refuses it.
    const objects = objectsOf('domain', 'www.google_ssl.onmypc.org');
    expect(ofType(objects, 'domain-name')).toEqual([]);
    expect(ofType(objects, 'relationship')).toEqual([]);
    expect(ofType(objects, 'indicator')[0]?.pattern).toBe(
      "[domain-name:value = 'www.google_ssl.onmypc.org']",
    );
    expect(ofType(objectsOf('domain', 'www.google-ssl.onmypc.org'), 'domain-name')).toHaveLength(1);
  });

  it('a STIX pattern indicator exports its own pattern', () => {
    const pattern = "[process:command_line MATCHES 'evil']";
    const objects = objectsOf('stix-pattern', pattern);
    expect(ofType(objects, 'indicator')[0]).toMatchObject({ pattern, pattern_type: 'stix' });
    expect(ofType(objects, 'relationship')).toHaveLength(0);
  });
});

describe('vulnerabilities of an indicator', () => {
  it('each CVE is a vulnerability SDO (name and cve reference) the indicator is related-to', () => {
    const document = documentOf('ipv4', '198.51.100.7', [
      'vulnerability:CVE-2021-44228',
      'vulnerability:MS17-010',
      'c2',
    ]);
    expect((document.dragnet as Record<string, unknown>).vulnerabilities).toEqual(['CVE-2021-44228']);
    const { own, shared } = documentStixObjects(document);
    const vulnerabilities = ofType(shared, 'vulnerability');
    expect(vulnerabilities).toMatchObject([
      {
        name: 'CVE-2021-44228',
        external_references: [{ source_name: 'cve', external_id: 'CVE-2021-44228' }],
      },
    ]);
    const [indicator] = ofType(own, 'indicator');
    const related = ofType(own, 'relationship').filter((item) => item.relationship_type === 'related-to');
    expect(related).toMatchObject([{ source_ref: indicator!.id, target_ref: vulnerabilities[0]!.id }]);
    // A CVE id is public; the relationship carries the indicator's marking, and both markings are defined.
    expect(related[0]!.object_marking_refs).toEqual(indicator!.object_marking_refs);
    const markingIds = ofType(shared, 'marking-definition').map((marking) => marking.id);
    for (const object of [...vulnerabilities, ...related])
      for (const marking of object.object_marking_refs as string[]) expect(markingIds).toContain(marking);
    // Deterministic: the same CVE is the same object in every export.
    expect(
      ofType(
        documentStixObjects(documentOf('domain', 'evil.example.com', ['vulnerability:CVE-2021-44228']))
          .shared,
        'vulnerability',
      ),
    ).toEqual(vulnerabilities);
  });

  it('an indicator without one exports no vulnerability', () => {
    const { own, shared } = documentStixObjects(documentOf('ipv4', '198.51.100.7'));
    expect([...own, ...shared].filter((object) => object.type === 'vulnerability')).toEqual([]);
    expect(ofType(own, 'relationship')).toHaveLength(1);
  });
});
