import kafkajs, { type AclEntry } from 'kafkajs';
import type { KafkaClient } from './driver.js';
import { withAdmin } from './with-admin.js';

// kafkajs is CommonJS and Node's named-export detection misses these, so they come off the default export.
const { AclOperationTypes, AclPermissionTypes, AclResourceTypes, ResourcePatternTypes } = kafkajs;

export type AclResource = 'topic' | 'group' | 'cluster' | 'transactional-id';
export type AclOperation =
  | 'read'
  | 'write'
  | 'describe'
  | 'create'
  | 'alter'
  | 'delete'
  | 'describe-configs'
  | 'alter-configs';

/** One grant: a principal may do `operations` on the resource named `name` (or every name starting with it). */
export interface AclGrant {
  resource: AclResource;
  name: string;
  prefixed?: boolean;
  operations: AclOperation[];
}

const RESOURCE_TYPES: Record<AclResource, number> = {
  topic: AclResourceTypes.TOPIC,
  group: AclResourceTypes.GROUP,
  cluster: AclResourceTypes.CLUSTER,
  'transactional-id': AclResourceTypes.TRANSACTIONAL_ID,
};
const OPERATION_TYPES: Record<AclOperation, number> = {
  read: AclOperationTypes.READ,
  write: AclOperationTypes.WRITE,
  describe: AclOperationTypes.DESCRIBE,
  create: AclOperationTypes.CREATE,
  alter: AclOperationTypes.ALTER,
  delete: AclOperationTypes.DELETE,
  'describe-configs': AclOperationTypes.DESCRIBE_CONFIGS,
  'alter-configs': AclOperationTypes.ALTER_CONFIGS,
};

function aclEntries(principal: string, grants: AclGrant[]): AclEntry[] {
  return grants.flatMap((grant) =>
    grant.operations.map((operation) => ({
      resourceType: RESOURCE_TYPES[grant.resource],
      resourceName: grant.name,
      resourcePatternType: grant.prefixed ? ResourcePatternTypes.PREFIXED : ResourcePatternTypes.LITERAL,
      principal: `User:${principal}`,
      host: '*',
      operation: OPERATION_TYPES[operation],
      permissionType: AclPermissionTypes.ALLOW,
    })),
  );
}

/** Every ACL of every principal (`User:<name>`) named. */
const anyAclOf = (principal: string) => ({
  resourceType: AclResourceTypes.ANY,
  resourcePatternType: ResourcePatternTypes.ANY,
  principal: `User:${principal}`,
  host: '*',
  operation: AclOperationTypes.ANY,
  permissionType: AclPermissionTypes.ANY,
});

/** Adds the ACLs of each principal's grants (idempotent: Kafka ignores an ACL it already has); returns how many. */
export async function grantAcls(
  kafka: KafkaClient,
  grants: Record<string, AclGrant[]> | Map<string, AclGrant[]>,
): Promise<number> {
  const acl = [...(grants instanceof Map ? grants : Object.entries(grants))].flatMap(([principal, list]) =>
    aclEntries(principal, list),
  );
  if (acl.length > 0) await withAdmin(kafka, (admin) => admin.createAcls({ acl }));
  return acl.length;
}

/** Removes exactly the ACLs of each principal's grants; the principal's other ACLs stay. */
export async function revokeAcls(
  kafka: KafkaClient,
  grants: Record<string, AclGrant[]> | Map<string, AclGrant[]>,
): Promise<void> {
  const filters = [...(grants instanceof Map ? grants : Object.entries(grants))].flatMap(
    ([principal, list]) => aclEntries(principal, list),
  );
  if (filters.length > 0) await withAdmin(kafka, (admin) => admin.deleteAcls({ filters }));
}

/** The ACLs Kafka holds for a principal, one line each (`allow write topic feeds.x (literal)`). */
export async function describeAcls(kafka: KafkaClient, principal: string): Promise<string[]> {
  const response = await withAdmin(kafka, (admin) => admin.describeAcls(anyAclOf(principal)));
  const name = <E extends Record<string, string | number>>(enumeration: E, value: number) =>
    (Object.entries(enumeration).find(([, v]) => v === value)?.[0] ?? String(value)).toLowerCase();
  return response.resources.flatMap((resource) =>
    resource.acls.map(
      (acl) =>
        `${name(AclPermissionTypes, acl.permissionType)} ${name(AclOperationTypes, acl.operation)} ` +
        `${name(AclResourceTypes, resource.resourceType)} ${resource.resourceName} (${name(ResourcePatternTypes, resource.resourcePatternType)})`,
    ),
  );
}

/** Removes every ACL of the principal. */
export async function deleteAcls(kafka: KafkaClient, principal: string): Promise<void> {
  await withAdmin(kafka, (admin) => admin.deleteAcls({ filters: [anyAclOf(principal)] }));
}

/** The names of the cluster's topics. */
export function listTopics(kafka: KafkaClient): Promise<string[]> {
  return withAdmin(kafka, (admin) => admin.listTopics());
}
