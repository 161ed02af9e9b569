import type { OutboxOptions } from './outboxOptions.js';
import type { OutboxMeta, StoredWrite } from './types.js';

/**
 * What a new client takes over from storage: the bookkeeping, and the stored writes of clients
 * that are gone (a closed tab, a reload). A live tab's writes stay its own: pushing them under a
 * newer epoch would fence that tab.
 */
export async function restoreOutbox(
  { storage, namespace, ownerAlive }: Pick<OutboxOptions, 'storage' | 'namespace' | 'ownerAlive'>,
  clientId: string,
): Promise<{ meta: OutboxMeta | undefined; stored: StoredWrite[] }> {
  const meta = await storage.loadMeta(namespace);
  const stored = await storage.loadWrites(namespace);
  const owners = [...new Set(stored.map((w) => w.clientId))].filter((id) => id !== clientId);
  const alive = await Promise.all(owners.map((id) => ownerAlive?.(id) ?? false));
  const live = new Set(owners.filter((_, i) => alive[i]));
  return { meta, stored: stored.filter((w) => !live.has(w.clientId)) };
}
