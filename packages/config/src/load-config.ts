import type { z } from 'zod';
import {
  createRedactor,
  isSecretVariable,
  localStackSecurityDefaults,
  redisUrlWithCredentials,
  resolveSecretFiles,
} from './secrets.js';

/** Thrown when the environment does not satisfy a service's schema; its message is one line per variable. */
export class ConfigError extends Error {
  override readonly name = 'ConfigError';
  constructor(readonly problems: string[]) {
    super(problems.join('; '));
  }
}

/**
 * Validates `env` against a zod object schema whose keys are environment
 * variable names. Returns the parsed, typed config or throws `ConfigError`
 * naming each bad variable and what was expected.
 *
 * Before validation: with `DRAGNET_STACK_SECURITY=on`, unset credentials
 * default to the secured local stack's; each `NAME_FILE` (a Docker secret)
 * supplies `NAME`. No secret value ever appears in a problem: secret variables
 * are described by their length, and every secret (and URL password) found in
 * the environment is replaced by `[redacted]` in every message.
 * After validation: `REDIS_USERNAME` / `REDIS_PASSWORD` go into `REDIS_URL`.
 */
export function parseConfig<S extends z.ZodObject>(
  schema: S,
  env: NodeJS.ProcessEnv = process.env,
): z.infer<S> {
  const variables = Object.keys(schema.shape);
  const withDefaults = localStackSecurityDefaults(variables, env);
  const { env: resolved, problems: fileProblems } = resolveSecretFiles(variables, withDefaults);
  const redact = createRedactor(resolved);
  const result = schema.safeParse(resolved);
  if (result.success && fileProblems.length === 0) return withRedisCredentials(result.data);
  const problems = [...fileProblems];
  for (const issue of result.success ? [] : result.error.issues) {
    const variable = issue.path.join('.') || '(environment)';
    const raw = resolved[variable];
    let got: string;
    if (raw === undefined) got = 'it is not set';
    else if (isSecretVariable(variable)) got = `got a secret of ${raw.length} characters`;
    else got = `got ${JSON.stringify(raw.length > 60 ? `${raw.slice(0, 60)}…` : raw)}`;
    problems.push(`${variable}: ${issue.message} (${got})`);
  }
  throw new ConfigError(problems.map(redact));
}

function withRedisCredentials<T>(config: T): T {
  const record = config as Record<string, unknown>;
  if (typeof record.REDIS_URL !== 'string') return config;
  const username = typeof record.REDIS_USERNAME === 'string' ? record.REDIS_USERNAME : undefined;
  const password = typeof record.REDIS_PASSWORD === 'string' ? record.REDIS_PASSWORD : undefined;
  return { ...record, REDIS_URL: redisUrlWithCredentials(record.REDIS_URL, username, password) } as T;
}

/**
 * `parseConfig` for a process entry point: on error prints one line naming
 * the variable(s) and exits with status 78 (EX_CONFIG), before any connection
 * is attempted.
 */
export function loadConfig<S extends z.ZodObject>(
  schema: S,
  env: NodeJS.ProcessEnv = process.env,
): z.infer<S> {
  try {
    return parseConfig(schema, env);
  } catch (error) {
    if (error instanceof ConfigError) {
      process.stderr.write(`configuration error: ${error.message}\n`);
      process.exit(78);
    }
    throw error;
  }
}
