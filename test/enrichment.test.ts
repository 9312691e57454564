import { join } from 'node:path';
import { requireStack, SHARED_DIR, testElasticsearch, testKafka } from '@dragnet/test-kit';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import {
  createPipelineResources,
  dropPipelineResources,
  indexedDocument,
  Pipeline,
  pushFile,
  pushMessages,
  serviceEnv,
} from './pipeline-kit.js';

const kafka = testKafka();
const elasticsearch = testElasticsearch();
const pipeline = new Pipeline(serviceEnv({ ENRICHMENT_ENABLED: 'true' }));

const documentOf = (value: string) =>
  indexedDocument(
    elasticsearch,
    value,
    (source) => source.dragnet?.enrichment !== undefined,
    'the enriched document',
  );

describe('enrichment end to end (BullMQ on real Redis, results merged by the deduplicator)', () => {
  beforeAll(async () => {
    await requireStack();
    await createPipelineResources(kafka, elasticsearch);
    pipeline.startAll();
    pipeline.start('enricher');
    await pushFile(kafka, 'unit42', join(SHARED_DIR, 'feeds/unit42/2024-02-08-Pikabot.json'));
    await pushFile(kafka, 'eset', join(SHARED_DIR, 'feeds/eset/misp/powerpool/misp-powerpool.json'));
    await pushMessages(kafka, 'synthetic-a', [
      '8.8.8.8,ipv4,2026-01-02T00:00:00Z\n10.1.2.3,ipv4,2026-01-02T00:00:00Z\n',
    ]);
  });
  afterAll(async () => {
    await pipeline.stopAll();
    await dropPipelineResources(kafka, elasticsearch);
    await elasticsearch.close();
  });

  it('puts AS, country and address class on IP indicators, in ECS fields', async () => {
    const google = await documentOf('8.8.8.8');
    expect(google.threat.indicator.as).toMatchObject({ number: 15169 });
    expect(google.threat.indicator.geo).toMatchObject({ country_iso_code: 'US' });
    expect(google.dragnet.enrichment).toMatchObject({ ip_class: 'public' });
    const privateAddress = await documentOf('10.1.2.3');
    expect(privateAddress.dragnet.enrichment.ip_class).toBe('private');
    expect(privateAddress.dragnet.warninglists.map((hit: { name: string }) => hit.name).join(' ')).toMatch(
      /RFC 1918|rfc1918|private/i,
    );
  });

  it('puts the registrable domain on domains and URLs from the shared feeds, once per indicator', async () => {
    const url = await documentOf('http://orangebrands.co.tz/pgdfga/');
    expect(url.threat.indicator.url).toMatchObject({
      domain: 'orangebrands.co.tz',
      registered_domain: 'orangebrands.co.tz',
      full: 'http://orangebrands.co.tz/pgdfga/',
    });
    expect(url.dragnet.enrichment.public_suffix).toBe('co.tz');
    expect(url.dragnet.enrichment.providers).toMatchObject({ domain: 1 });
    const hash = await documentOf('3cb8174becb3c89318ed01ccd76e71cbeb8bc9e0fcbce8e110d40cd71af20fa2');
    expect(hash.dragnet.enrichment.providers).toBeDefined();
    expect(typeof hash.dragnet.score).toBe('number');
  });

  it('enriches an IP and a domain of the shared ESET feed', async () => {
    const ip = await documentOf('27.102.106.149');
    expect(ip.threat.indicator.as.number).toBeGreaterThan(0);
    expect(ip.threat.indicator.geo.country_iso_code).toMatch(/^[A-Z]{2}$/);
    expect(ip.dragnet.enrichment.ip_class).toBe('public');
    const domain = await documentOf('newsrental.net');
    expect(domain.dragnet.enrichment).toMatchObject({
      registrable_domain: 'newsrental.net',
      public_suffix: 'net',
      subdomain_depth: 0,
      idn: false,
    });
  });
});
