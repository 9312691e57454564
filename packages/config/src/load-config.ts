import type { z } from 'zod';

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
 */
export function parseConfig<S extends z.ZodObject>(
  schema: S,
  env: NodeJS.ProcessEnv = process.env,
): z.infer<S> {
  const result = schema.safeParse(env);
  if (result.success) return result.data;
  const problems = result.error.issues.map((issue) => {
    const variable = issue.path.join('.') || '(environment)';
    const raw = env[variable];
    const got =
      raw === undefined
        ? 'it is not set'
        : `got ${JSON.stringify(raw.length > 60 ? `${raw.slice(0, 60)}…` : raw)}`;
    return `${variable}: ${issue.message} (${got})`;
  });
  throw new ConfigError(problems);
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
