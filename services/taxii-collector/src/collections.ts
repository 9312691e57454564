import type { TaxiiPartner } from './collector.js';
import { jsonDepthExceeds } from './paging.js';
import { authorization, endpoint, getTaxii, type HttpSettings } from './taxii-http.js';

export interface CollectionSummary {
  id: string;
  title: string;
  canRead: boolean;
  canWrite: boolean;
}

const MAX_DEPTH = 16;
const text = (value: unknown, max: number) => (typeof value === 'string' ? value.slice(0, max) : '');

/** The source's collections (`GET <apiRoot>/collections/`), or a one-line error. */
export async function listCollections(
  partner: TaxiiPartner,
  settings: HttpSettings,
): Promise<CollectionSummary[] | { error: string }> {
  const answer = await getTaxii(
    endpoint(partner.taxii.apiRoot, 'collections/'),
    authorization(partner.taxii),
    settings,
  );
  if (answer.status === 401 || answer.status === 403)
    return {
      error: `taxii source ${partner.id}: authentication refused (HTTP ${answer.status}) by ${partner.taxii.apiRoot}`,
    };
  if (answer.status !== 200)
    return { error: `taxii source ${partner.id}: HTTP ${answer.status} for collections` };
  if (jsonDepthExceeds(answer.body, MAX_DEPTH))
    return { error: `taxii source ${partner.id}: answer nested too deep` };
  let root: unknown;
  try {
    root = JSON.parse(answer.body);
  } catch {
    return { error: `taxii source ${partner.id}: collections answer is not JSON` };
  }
  const list =
    typeof root === 'object' && root !== null && Object.hasOwn(root, 'collections')
      ? (root as { collections: unknown }).collections
      : [];
  if (!Array.isArray(list)) return { error: `taxii source ${partner.id}: collections is not a list` };
  return list
    .filter((entry): entry is Record<string, unknown> => typeof entry === 'object' && entry !== null)
    .map((entry) => ({
      id: text(entry.id, 128),
      title: text(entry.title, 200),
      canRead: entry.can_read === true,
      canWrite: entry.can_write === true,
    }));
}
