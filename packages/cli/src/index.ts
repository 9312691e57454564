export {
  type DeadLetterEntry,
  type DeadLetterFilter,
  readDeadLetters,
  selectDeadLetters,
} from './dead-letters.js';
export { splitFeedFile } from './split.js';
