export * from './errors.js';
export * from './lookup.js';
export * from './observables.js';
export * from './stix-bundle.js';
export * from './stix-export.js';
export * from './summary.js';
export * from './tlp.js';
