// dragnet up / down / ps: one table entry each, the work is in @dragnet/supervisor.

export { downCommand } from './down.js';
export { psCommand } from './ps.js';
export { upCommand } from './up.js';
