/** What the log may say about a failure: identifiers, never text that could quote the request. */
export interface FailureFields {
  /** `ResponseError`, `ConnectionError`, `TimeoutError`, `TypeError`, … */
  name: string;
  /** A system error code such as `ECONNREFUSED`. */
  code?: string;
  /** Elasticsearch's HTTP status. */
  status?: number;
  /** Elasticsearch's exception type, e.g. `index_not_found_exception`. */
  type?: string;
  /** For faults in our own code: the stack frames (`at …` lines) without the message. */
  frames?: string;
}

const IDENTIFIER = /^[A-Za-z0-9_.-]{1,80}$/;

/**
 * The loggable part of an error. The message and the Elasticsearch client's
 * `meta` are left out on purpose: `meta` holds the request (the analyst's
 * query, the observables as ids), and Elasticsearch's reasons quote the query
 * back ("Failed to parse query [...]"). An analyst's query is need-to-know.
 */
export function failureFields(error: unknown): FailureFields {
  if (!(error instanceof Error)) return { name: typeof error };
  const fields: FailureFields = { name: error.name };
  const { code, meta } = error as { code?: unknown; meta?: { statusCode?: unknown; body?: unknown } };
  if (typeof code === 'string' && IDENTIFIER.test(code)) fields.code = code;
  if (typeof meta?.statusCode === 'number') fields.status = meta.statusCode;
  const type = (meta?.body as { error?: { type?: unknown } } | undefined)?.error?.type;
  if (typeof type === 'string' && IDENTIFIER.test(type)) fields.type = type;
  if (meta !== undefined) return fields; // A client error: its frames are transport internals, its message may quote us.
  const frames = (error.stack ?? '')
    .split('\n')
    .filter((line) => /^\s+at /.test(line))
    .join('\n');
  if (frames) fields.frames = frames;
  return fields;
}
