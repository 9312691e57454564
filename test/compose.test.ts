// docker-compose.yml kept honest: what Compose resolves from it (scripts/compose-config.sh,
// no Docker engine needed) has every Dragnet service, the local stack's servers, versions
// and host ports, and gives each service only variables some Dragnet schema reads — with
// the addresses and identities its own schema needs, so no container falls back to
// defaults meant for a developer's loopback stack.
import { execFileSync } from 'node:child_process';
import { existsSync, readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import {
  ELASTICSEARCH_ENV,
  isSecretVariable,
  KAFKA_ENV,
  LOG_ENV,
  REDIS_ENV,
  RUNTIME_ENV,
} from '@dragnet/config';
import { REPO_ROOT } from '@dragnet/test-kit';
import { describe, expect, it } from 'vitest';

interface ComposeService {
  image?: string;
  command?: string[] | string;
  environment?: Record<string, string | null>;
  ports?: ({ published: string | number; target: number; host_ip?: string } | string)[];
}

const compose = JSON.parse(
  execFileSync('bash', [join(REPO_ROOT, 'scripts', 'compose-config.sh')], {
    encoding: 'utf8',
    maxBuffer: 16 * 1024 * 1024,
  }),
) as { services: Record<string, ComposeService> };

/** A service's configuration schema, as far as this test reads it (zod objects). */
type Schema = { shape: Record<string, { safeParse(value: unknown): { success: boolean } }> };

/** Every service that can run (a folder still being written, without src/main.ts, is not one yet). */
const SERVICE_NAMES = readdirSync(join(REPO_ROOT, 'services'))
  .filter((name) => existsSync(join(REPO_ROOT, 'services', name, 'src', 'main.ts')))
  .sort();

/** Each service's configuration schema: the `…Env` object its src/config.ts exports. */
const SCHEMAS: Record<string, Schema> = Object.fromEntries(
  await Promise.all(
    SERVICE_NAMES.map(async (name) => {
      const module = (await import(join(REPO_ROOT, 'services', name, 'src', 'config.ts'))) as Record<
        string,
        unknown
      >;
      const schema = Object.entries(module).find(([exported]) => exported.endsWith('Env'))?.[1];
      if (!schema) throw new Error(`services/${name}/src/config.ts exports no …Env schema`);
      return [name, schema as Schema];
    }),
  ),
);

/** A default of infra/local/stack.sh, read from the script (`NAME=value` or `NAME="${DRAGNET_…:-value}"`). */
function stackDefault(name: string): string {
  const script = readFileSync(join(REPO_ROOT, 'infra', 'local', 'stack.sh'), 'utf8');
  const match = new RegExp(`^${name}="?(?:\\$\\{[A-Z_]+:-)?([^}"\\s]+)`, 'm').exec(script);
  if (!match) throw new Error(`infra/local/stack.sh has no ${name}`);
  return match[1]!;
}

/** Host ports a compose service publishes, as "host_ip:published->target". */
function published(service: ComposeService): string[] {
  return (service.ports ?? []).map((port) => {
    if (typeof port === 'string') return port; // Compose v1 keeps the short syntax
    return `${port.host_ip ?? ''}:${port.published}->${port.target}`;
  });
}
const normalisePort = (port: string) => {
  const short = /^(?:([\d.]+):)?(\d+):(\d+)(?:\/tcp)?$/.exec(port);
  return short ? `${short[1] ?? ''}:${short[2]}->${short[3]}` : port;
};

/** Every variable some Dragnet schema declares (services, the shared groups, the CLI's KIBANA_URL). */
const DECLARED = new Set([
  ...Object.values(SCHEMAS).flatMap((schema) => Object.keys(schema.shape)),
  ...Object.keys({ ...KAFKA_ENV, ...ELASTICSEARCH_ENV, ...REDIS_ENV, ...LOG_ENV, ...RUNTIME_ENV }),
  'KIBANA_URL',
]);
/** Read by Node itself, not by Dragnet. */
const NODE_VARIABLES = new Set(['NODE_OPTIONS', 'NODE_EXTRA_CA_CERTS']);

const isDeclared = (name: string) =>
  DECLARED.has(name) ||
  NODE_VARIABLES.has(name) ||
  (name.endsWith('_FILE') && isSecretVariable(name.slice(0, -5)) && DECLARED.has(name.slice(0, -5)));
const isSet = (environment: Record<string, unknown>, name: string) =>
  Object.hasOwn(environment, name) || Object.hasOwn(environment, `${name}_FILE`);

describe('docker-compose.yml', () => {
  it('runs every service of services/ from its bundle, and the local stack servers at its versions', () => {
    expect(SERVICE_NAMES.length).toBeGreaterThanOrEqual(5);
    for (const name of SERVICE_NAMES) {
      const command = compose.services[name]?.command;
      expect(Array.isArray(command) ? command.join(' ') : command, name).toBe(
        `node services/${name}/dist/main.js`,
      );
    }
    const image = (name: string) => compose.services[name]?.image ?? '';
    expect(image('kafka')).toMatch(new RegExp(`:${stackDefault('KAFKA_VERSION')}$`));
    expect(image('elasticsearch')).toMatch(new RegExp(`:${stackDefault('ES_VERSION')}$`));
    expect(image('kibana')).toMatch(new RegExp(`:${stackDefault('ES_VERSION')}$`));
    expect(image('redis')).toMatch(/^redis:/);
  });

  it("publishes the servers on the local stack's host ports, loopback only, and the API on its default port", () => {
    const hostPorts = (name: string) => published(compose.services[name] ?? {}).map(normalisePort);
    expect(hostPorts('kafka')).toEqual([`127.0.0.1:${stackDefault('KAFKA_PARTNER_PORT')}->9094`]);
    expect(hostPorts('elasticsearch')).toEqual([`127.0.0.1:${stackDefault('ES_PORT')}->9200`]);
    expect(hostPorts('redis')).toEqual([`127.0.0.1:${stackDefault('REDIS_PORT')}->6379`]);
    const apiPort = (SCHEMAS.api!.shape.API_PORT as unknown as { parse(value: unknown): number }).parse(
      undefined,
    );
    expect(hostPorts('api')).toEqual([`127.0.0.1:${apiPort}->${apiPort}`]);
  });

  it('gives each Dragnet container only declared variables, and the addresses and identities its schema reads', () => {
    const problems: string[] = [];
    for (const [name, service] of Object.entries(compose.services)) {
      if (service.image !== 'dragnet:local') continue;
      for (const variable of Object.keys(service.environment ?? {}))
        if (!isDeclared(variable)) problems.push(`${name}: ${variable} is read by no Dragnet schema`);
    }
    for (const [name, schema] of Object.entries(SCHEMAS)) {
      const environment = compose.services[name]?.environment ?? {};
      const reads = Object.keys(schema.shape);
      // Without these a container would talk to 127.0.0.1 or use the local stack's admin identities.
      for (const variable of [
        'KAFKA_BROKERS',
        'ELASTICSEARCH_URL',
        'ELASTICSEARCH_CA_FILE',
        'REDIS_URL',
        'KAFKA_SASL_USERNAME',
        'KAFKA_SASL_PASSWORD',
        'ELASTICSEARCH_USERNAME',
        'ELASTICSEARCH_PASSWORD',
        'REDIS_USERNAME',
        'REDIS_PASSWORD',
      ])
        if (reads.includes(variable) && !isSet(environment, variable))
          problems.push(`${name}: ${variable} is not set`);
      // Every variable the schema cannot default.
      for (const variable of reads)
        if (!isSet(environment, variable) && !schema.shape[variable]!.safeParse(undefined).success)
          problems.push(`${name}: ${variable} is required and not set`);
    }
    expect(problems).toEqual([]);
  });

  it('gives each long-running service its own Kafka principal, as the perimeter grants', () => {
    for (const name of ['normalizer', 'deduplicator', 'indexer', 'enricher'])
      expect(compose.services[name]?.environment?.KAFKA_SASL_USERNAME, name).toBe(name);
  });
});
