export * from './cached-state.js';
export * from './document.js';
export * from './merge-enrichment.js';
export * from './merge-report.js';
export * from './projection.js';
export * from './state.js';
