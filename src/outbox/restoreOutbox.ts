import type { OutboxOptions } from './outboxOptions.js';
import type { OutboxMeta, StoredWrite } from '../platform/storage.js';

/**
 * What a new client finds in storage: the bookkeeping, every stored write, and the clientIds of
 * the other live tabs among their owners. Alone, a live tab's writes stay its own: pushing them
 * under a newer epoch would fence that tab. A tab leader sends them for that tab (docs/tabs.md).
 */
export async function restoreOutbox(
  { storage, namespace, ownerAlive }: Pick<OutboxOptions, 'storage' | 'namespace' | 'ownerAlive'>,
  clientId: string,
): Promise<{ meta: OutboxMeta | undefined; stored: StoredWrite[]; live: Set<string> }> {
  const meta = await storage.loadMeta(namespace);
  const stored = await storage.loadWrites(namespace);
  const owners = [...new Set(stored.map((w) => w.clientId))].filter((id) => id !== clientId);
  const alive = await Promise.all(owners.map((id) => ownerAlive?.(id) ?? false));
  return { meta, stored, live: new Set(owners.filter((_, i) => alive[i])) };
}
