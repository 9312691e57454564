export { readDeadLetters, selectDeadLetters, type DeadLetterEntry, type DeadLetterFilter } from './commands/dlq.js';
export { splitFeedFile } from './split.js';
