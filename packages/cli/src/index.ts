export {
  type DeadLetterEntry,
  type DeadLetterFilter,
  readDeadLetters,
  selectDeadLetters,
} from './commands/dlq.js';
export { splitFeedFile } from './split.js';
