import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';

/**
 * Secrets hygiene for configuration: `*_FILE` variables (Docker secrets),
 * redaction of secret values in anything the loader prints, and the secured
 * local stack's defaults.
 */

/** Variables whose value is a secret: never printed, redacted wherever it appears. */
const SECRET_NAME = /(PASSWORD|API_KEY|API_KEYS|SECRET|TOKEN)$/;

export const isSecretVariable = (name: string): boolean => SECRET_NAME.test(name);

export const REDACTED = '[redacted]';

/** Secrets shorter than this are not searched for in text (they would blank out ordinary words). */
const MIN_REDACTABLE_LENGTH = 3;

/** The password inside a URL's user info (`redis://user:password@host`), if any. */
function urlPassword(value: string): string | undefined {
  if (!URL.canParse(value)) return undefined;
  const password = new URL(value).password;
  return password ? decodeURIComponent(password) : undefined;
}

/** Every secret value in `env`: secret-named variables and passwords inside URLs. */
export function secretValues(env: Readonly<Record<string, string | undefined>>): string[] {
  const secrets = new Set<string>();
  for (const [name, value] of Object.entries(env)) {
    if (value === undefined || value === '') continue;
    if (isSecretVariable(name)) secrets.add(value);
    const inUrl = urlPassword(value);
    if (inUrl) {
      secrets.add(inUrl);
      secrets.add(encodeURIComponent(inUrl));
    }
  }
  return [...secrets].filter((secret) => secret.length >= MIN_REDACTABLE_LENGTH);
}

/** `text` with every occurrence of every secret replaced by `[redacted]` (longest first, so no partial leaks). */
export function redactSecrets(text: string, secrets: readonly string[]): string {
  let result = text;
  for (const secret of [...secrets].sort((a, b) => b.length - a.length)) {
    result = result.split(secret).join(REDACTED);
  }
  return result;
}

/** A redactor for everything a process may print about its configuration. */
export function createRedactor(env: Readonly<Record<string, string | undefined>>): (text: string) => string {
  const secrets = secretValues(env);
  return (text) => redactSecrets(text, secrets);
}

/** Reads a secret file: the whole content minus one trailing newline (what `echo` and editors add). */
export function readSecretFile(path: string): string {
  return readFileSync(path, 'utf8').replace(/\r?\n$/, '');
}

/**
 * For each schema variable `NAME` whose `NAME_FILE` is set (and which the
 * schema does not declare itself), the file's content becomes `NAME`.
 * Returns the resolved environment and one problem per conflict or unreadable file.
 */
export function resolveSecretFiles(
  variables: readonly string[],
  env: Readonly<Record<string, string | undefined>>,
): { env: Record<string, string | undefined>; problems: string[] } {
  const declared = new Set(variables);
  const resolved: Record<string, string | undefined> = { ...env };
  const problems: string[] = [];
  for (const name of variables) {
    const fileVariable = `${name}_FILE`;
    const path = env[fileVariable];
    if (declared.has(fileVariable) || path === undefined || path === '') continue;
    if (env[name] !== undefined && env[name] !== '') {
      problems.push(`${name}: set either ${name} or ${fileVariable}, not both`);
      continue;
    }
    try {
      resolved[name] = readSecretFile(path);
    } catch (error) {
      const code = (error as NodeJS.ErrnoException).code ?? 'unreadable';
      problems.push(`${fileVariable}: cannot read ${JSON.stringify(path)} (${code})`);
    }
  }
  return { env: resolved, problems };
}

/** `REDIS_URL` with `REDIS_USERNAME` / `REDIS_PASSWORD` put into its user info (they win over the URL's own). */
export function redisUrlWithCredentials(url: string, username?: string, password?: string): string {
  if (username === undefined && password === undefined) return url;
  const parsed = new URL(url);
  if (username !== undefined) parsed.username = encodeURIComponent(username);
  if (password !== undefined) parsed.password = encodeURIComponent(password);
  return parsed.toString();
}

const REPO_ROOT = fileURLToPath(new URL('../../../', import.meta.url));

/**
 * With `DRAGNET_STACK_SECURITY=on` and nothing else set, clients talk to the
 * secured local stack (`pnpm stack:up`) as its admin identities, reading the
 * passwords the stack generated — as the plain defaults point at the open stack.
 * Anything set explicitly wins; production sets its own identities.
 */
/** The secured local stack is the default once the whole suite passes under it (infra/local/stack.sh has the same). */
export const DEFAULT_STACK_SECURITY: 'on' | 'off' = 'on';

export function localStackSecurityDefaults(
  variables: readonly string[],
  env: Readonly<Record<string, string | undefined>>,
): Record<string, string | undefined> {
  if ((env.DRAGNET_STACK_SECURITY || DEFAULT_STACK_SECURITY) !== 'on') return { ...env };
  const secrets =
    env.DRAGNET_SECRETS_DIR || join(env.DRAGNET_STACK_DIR || join(REPO_ROOT, '.stack'), 'secrets');
  const wanted = new Set(variables);
  const result: Record<string, string | undefined> = { ...env };
  const isSet = (name: string) => Boolean(env[name]) || Boolean(env[`${name}_FILE`]);
  const fill = (name: string, value: string) => {
    if (wanted.has(name) && !isSet(name)) result[name] = value;
  };
  /** An identity and its password file, only when the schema has it and no identity is configured. */
  const identity = (userVariable: string, user: string, passwordVariable: string, file: string) => {
    if (!wanted.has(userVariable) || isSet(userVariable) || isSet(passwordVariable)) return;
    result[userVariable] = user;
    result[`${passwordVariable}_FILE`] = join(secrets, file);
  };
  identity('KAFKA_SASL_USERNAME', 'admin', 'KAFKA_SASL_PASSWORD', 'kafka-admin.password');
  fill('ELASTICSEARCH_URL', 'https://127.0.0.1:19200');
  fill('ELASTICSEARCH_CA_FILE', join(secrets, 'ca.crt'));
  if (!isSet('ELASTICSEARCH_API_KEY'))
    identity(
      'ELASTICSEARCH_USERNAME',
      'dragnet-admin',
      'ELASTICSEARCH_PASSWORD',
      'es-dragnet-admin.password',
    );
  if (!(env.REDIS_URL && urlPassword(env.REDIS_URL)))
    identity('REDIS_USERNAME', 'dragnet-admin', 'REDIS_PASSWORD', 'redis-dragnet-admin.password');
  return result;
}
