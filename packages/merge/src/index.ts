export * from './document.js';
export * from './merge-enrichment.js';
export * from './merge-report.js';
export * from './state.js';
