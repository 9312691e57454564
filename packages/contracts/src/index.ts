export * from './dead-letter.js';
export * from './enrichment-record.js';
export * from './names.js';
