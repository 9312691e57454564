export * from './names.js';
export * from './dead-letter.js';
export * from './enrichment-record.js';
