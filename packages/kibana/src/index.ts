export * from './import-api.js';
export * from './saved-objects.js';
export * from './validate.js';
