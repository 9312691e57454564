import type { DragnetEnrichment, EcsAs, EcsGeo, EcsUrl } from './enrichment-result.js';
import type { IndicatorContext } from './indicator-context.js';

/** What one provider adds; the registry merges outputs in provider order. */
export interface ProviderOutput {
  as?: EcsAs;
  geo?: EcsGeo;
  url?: EcsUrl;
  dragnet?: Partial<Omit<DragnetEnrichment, 'providers'>>;
}

/**
 * An offline provider: pure with respect to the pipeline (no Kafka, Redis, ES
 * or network); it may hold immutable in-memory data loaded at construction.
 */
export interface OfflineProvider {
  readonly name: string;
  /** Bumped when output changes, so stored documents can be re-enriched. */
  readonly version: number;
  enrich(context: IndicatorContext): ProviderOutput;
}
