import { Counter, Gauge, type Registry } from 'prom-client';

/** Per-source metrics: labels are partner ids and error kinds only. */
export function createCollectorMetrics(registry: Registry) {
  const lastDateAddedMs = new Map<string, number>();
  return {
    lastDateAddedMs,
    objects: new Counter({
      name: 'dragnet_taxii_objects_total',
      help: 'STIX objects collected and written to Kafka, per partner (rate() gives objects/s)',
      labelNames: ['partner'],
      registers: [registry],
    }),
    pages: new Counter({
      name: 'dragnet_taxii_pages_total',
      help: 'TAXII pages written to Kafka as one bundle each, per partner',
      labelNames: ['partner'],
      registers: [registry],
    }),
    errors: new Counter({
      name: 'dragnet_taxii_errors_total',
      help: 'Failed TAXII requests, per partner and kind (auth, retry, cursor, network, or the malformed-answer reason)',
      labelNames: ['partner', 'kind'],
      registers: [registry],
    }),
    lag: new Gauge({
      name: 'dragnet_taxii_lag_seconds',
      help: 'Now minus the latest date added collected, per partner (grows while a source is stuck)',
      labelNames: ['partner'],
      registers: [registry],
      collect() {
        for (const [partner, ms] of lastDateAddedMs)
          this.set({ partner }, Math.max(0, (Date.now() - ms) / 1_000));
      },
    }),
  };
}

export type CollectorMetrics = ReturnType<typeof createCollectorMetrics>;
