import { findNetworksContaining, getIndicators } from '@dragnet/elasticsearch';
import { TLP_LEVELS } from '@dragnet/indicators';
import { cidrContains, type LookupScope } from '@dragnet/lookup';
import type { AuditedObservable } from './audit-record.js';

/**
 * Turns `unknown` into `withheld` where Dragnet does hold a document but the
 * key may not see it — for the audit trail only: the client's answer (already
 * built) says unknown either way. One id-only `mget` for the unknown ids and,
 * for unknown IPs of a bulk lookup, one search for networks containing them,
 * at any marking. Both run whenever anything was unknown, withheld or not, so
 * the time taken does not tell a client which it was.
 */
export async function markWithheld(scope: LookupScope, observables: AuditedObservable[]): Promise<void> {
  const unknown = observables.filter((observable) => observable.outcome === 'unknown' && observable.id);
  if (unknown.length === 0) return;
  const ids = [...new Set(unknown.map((observable) => observable.id as string))];
  const ips = [...new Set(unknown.flatMap((observable) => (observable.ip ? [observable.ip] : [])))];
  const [stored, networks] = await Promise.all([
    getIndicators(scope.client, scope.index, ids, { sourceIncludes: ['dragnet.id'] }),
    findNetworksContaining(scope.client, scope.index, ips, TLP_LEVELS, {
      sourceIncludes: ['dragnet.network', 'dragnet.value'],
    }),
  ]);
  const existing = new Set(stored.map((item) => item.id));
  const cidrs = networks.map((network) => {
    const dragnet = network.document.dragnet as { network?: unknown; value?: unknown } | undefined;
    return String(dragnet?.network ?? dragnet?.value ?? '');
  });
  for (const observable of unknown) {
    const { id, ip } = observable;
    if ((id && existing.has(id)) || (ip && cidrs.some((cidr) => cidrContains(cidr, ip))))
      observable.outcome = 'withheld';
  }
}
