import { COMMANDS } from './command-table.js';
import { runCli } from './dispatch.js';

// Exit explicitly: a client some library keeps open must not hold the terminal after the answer.
runCli(process.argv.slice(2), COMMANDS).then((code) => process.exit(code));
