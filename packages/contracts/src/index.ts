export * from './dead-letter.js';
export * from './enrichment-job.js';
// Types only: the codec itself (`@dragnet/contracts/merge-input`) loads the Avro schema, which most importers do not need.
export type {
  DecodedMergeInput,
  EnrichmentRecord,
  MergeInput,
  MergeInputKind,
  MergeInputMessage,
  MergeInputRecords,
  MergeInputReject,
  MergeInputRejectCode,
  ReconcileRecord,
  RefreshReason,
  RefreshRecord,
} from './merge-input.js';
export * from './names.js';
