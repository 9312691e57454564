export * from './state.js';
export * from './merge-report.js';
export * from './merge-enrichment.js';
export * from './document.js';
