// docker-compose.yml kept honest: what Compose resolves from it (scripts/compose-config.sh,
// no Docker engine needed) has every Dragnet service, the local stack's servers, versions
// and host ports, and gives each service only variables some Dragnet schema reads — with
// the addresses and identities its own schema needs, so no container falls back to
// defaults meant for a developer's loopback stack. Its `cluster` profile is the local
// cluster mode's topology, host ports and variables (`infra/local/stack.sh env --cluster`).
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
  profiles?: string[];
  network_mode?: string;
  depends_on?: Record<string, unknown> | string[];
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

/** The variables the local cluster mode gives its users, from the script itself (prints only; starts nothing). */
function localClusterEnv(): Map<string, string> {
  const clean: NodeJS.ProcessEnv = { PATH: process.env.PATH, HOME: process.env.HOME };
  const output = execFileSync('bash', [join(REPO_ROOT, 'infra', 'local', 'stack.sh'), 'env', '--cluster'], {
    encoding: 'utf8',
    // Its defaults (no DRAGNET_CLUSTER_* overrides), secured, and a state dir that is never created.
    env: {
      ...clean,
      DRAGNET_STACK_SECURITY: 'on',
      DRAGNET_STACK_DIR: join(REPO_ROOT, '.stack-compose-test-none'),
    },
  });
  const variables = new Map<string, string>();
  for (const line of output.split('\n')) {
    const match = /^export ([A-Z_]+)='?([^']*)'?$/.exec(line);
    if (match) variables.set(match[1]!, match[2]!);
  }
  return variables;
}

const portOf = (address: string) => Number(/:(\d+)\/?$/.exec(address)?.[1]);
const list = (value: string | undefined) => (value ?? '').split(',').filter(Boolean);

describe("docker-compose.yml's cluster profile", () => {
  const local = localClusterEnv();
  const cluster = Object.fromEntries(
    Object.entries(compose.services).filter(([, service]) => service.profiles?.includes('cluster')),
  );
  const brokers = list(local.get('KAFKA_BROKERS'));
  const elasticsearchNodes = list(local.get('ELASTICSEARCH_URL'));
  const sentinels = list(local.get('REDIS_SENTINELS'));
  const redisPrimary = portOf(local.get('REDIS_URL') ?? '');
  // infra/local/cluster.sh: the replica listens next to the primary (CLUSTER_REDIS_PORT + n - 1).
  const redisPorts = [redisPrimary, redisPrimary + 1];

  it('has the nodes of the local cluster mode, each in the shared namespace, at the single stack images', () => {
    expect(brokers).toHaveLength(3);
    expect(elasticsearchNodes).toHaveLength(3);
    expect(sentinels).toHaveLength(3);
    const nodes = [
      ...brokers.map((_, index) => `kafka-${index + 1}`),
      ...elasticsearchNodes.map((_, index) => `elasticsearch-${index + 1}`),
      ...redisPorts.map((_, index) => `redis-${index + 1}`),
      ...sentinels.map((_, index) => `sentinel-${index + 1}`),
    ];
    expect(Object.keys(cluster).sort()).toEqual([...nodes, 'cluster-net', 'cluster-setup'].sort());
    for (const node of [...nodes, 'cluster-setup'])
      expect(cluster[node]?.network_mode, node).toBe('service:cluster-net');
    const image = (name: string) => compose.services[name]?.image;
    for (const node of nodes) {
      const kind = node.replace(/-\d+$/, '').replace('sentinel', 'redis');
      expect(cluster[node]?.image, node).toBe(image(kind));
    }
    // The single-node servers stay out of it, and it out of them.
    const dependencies = (service: ComposeService | undefined) =>
      Array.isArray(service?.depends_on) ? service.depends_on : Object.keys(service?.depends_on ?? {});
    for (const node of Object.keys(cluster))
      for (const dependency of dependencies(cluster[node]))
        expect(['secrets', ...Object.keys(cluster)], `${node} → ${dependency}`).toContain(dependency);
    for (const [name, service] of Object.entries(compose.services))
      if (!service.profiles?.includes('cluster'))
        for (const dependency of dependencies(service))
          expect(cluster, `${name} → ${dependency}`).not.toHaveProperty(dependency);
  });

  it("publishes every address of the local cluster mode's variables on the same loopback port, and runs each node there", () => {
    const expected = [
      ...brokers,
      ...list(local.get('KAFKA_PARTNER_BROKERS')),
      ...elasticsearchNodes,
      ...sentinels,
    ]
      .map(portOf)
      .concat(redisPorts)
      .map((port) => `127.0.0.1:${port}->${port}`)
      .sort();
    expect(
      published(cluster['cluster-net'] ?? {})
        .map(normalisePort)
        .sort(),
    ).toEqual(expected);
    const environment = (name: string) => cluster[name]?.environment ?? {};
    brokers.forEach((broker, index) => {
      expect(environment(`kafka-${index + 1}`).KAFKA_NODE_PORT).toBe(String(portOf(broker)));
      // Controllers one port above their broker, as cluster.sh's kafka_node.
      expect(environment(`kafka-${index + 1}`).KAFKA_VOTERS).toBe(
        brokers.map((entry, voter) => `${voter + 1}@127.0.0.1:${portOf(entry) + 1}`).join(','),
      );
    });
    elasticsearchNodes.forEach((url, index) => {
      expect(environment(`elasticsearch-${index + 1}`)['http.port']).toBe(String(portOf(url)));
    });
    redisPorts.forEach((port, index) => {
      expect(environment(`redis-${index + 1}`).REDIS_NODE_PORT).toBe(String(port));
    });
    sentinels.forEach((sentinel, index) => {
      expect(environment(`sentinel-${index + 1}`).REDIS_NODE_PORT).toBe(String(portOf(sentinel)));
      expect(environment(`sentinel-${index + 1}`).REDIS_PRIMARY_PORT).toBe(String(redisPrimary));
    });
  });

  it('secures Elasticsearch HTTP as the single node does, and transport with mutual TLS', () => {
    const single = compose.services.elasticsearch?.environment ?? {};
    for (const index of [1, 2, 3]) {
      const node = cluster[`elasticsearch-${index}`]?.environment ?? {};
      for (const [name, value] of Object.entries(single))
        if (name.startsWith('xpack.security.http.') || name === 'xpack.security.enabled')
          expect(node[name], `elasticsearch-${index} ${name}`).toBe(value);
      expect(node['xpack.security.transport.ssl.enabled']).toBe('true');
      expect(node['xpack.security.transport.ssl.verification_mode']).toBe('full');
      expect(node['xpack.security.transport.ssl.client_authentication']).toBe('required');
    }
  });

  it("gives its setup job the local cluster mode's variables: the same addresses and identities, secrets from /secrets", () => {
    // Read on the host only: by stack.sh itself, Kafka's tools and `dragnet partner add`.
    const hostOnly = new Set([
      'STACK_TOPOLOGY',
      'DRAGNET_STACK_DIR',
      'DRAGNET_STACK_SECURITY',
      'DRAGNET_SECRETS_DIR',
      'DRAGNET_CA_FILE',
      'KAFKA_TOOLS_CLASSPATH',
      'KAFKA_PARTNER_BROKERS',
    ]);
    const setup = cluster['cluster-setup']?.environment ?? {};
    const problems: string[] = [];
    for (const [name, value] of local) {
      if (hostOnly.has(name)) continue;
      const given = setup[name];
      const file = name.endsWith('_FILE');
      const wanted = file ? `/secrets/${value.split('/').at(-1)}` : value;
      if (given !== wanted) problems.push(`${name}: ${given} (the local cluster mode: ${wanted})`);
    }
    expect(local.size).toBeGreaterThan(10);
    expect(problems).toEqual([]);
  });
});
