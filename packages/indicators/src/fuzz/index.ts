/** Fuzzing helpers for tests and `pnpm fuzz` (not part of the runtime API: `@dragnet/indicators/fuzz`). */
export * from './hostile-json.js';
export * from './targets.js';
