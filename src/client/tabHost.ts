import type { OutboxTabs } from '../outbox/outbox.js';
import type { ClientCore } from './clientCore.js';
import type { ClientWired } from './clientWired.js';
import type { ClientLoad } from './clientLoad.js';
import type { ClientSession } from './clientSession.js';
import type { TabHost, TabLink } from './tabs.js';

/** The tab link's view of this client (docs/tabs.md): what it drives when it leads or follows. */
export function createTabHost(
  core: ClientCore,
  wired: ClientWired,
  ctx: {
    tabs: TabLink;
    outboxTabs: OutboxTabs;
    load: ClientLoad;
    session: ClientSession;
    lockName(clientId: string): string;
  },
): TabHost {
  const { clock, environment, interest, book, health, traced, life, pendingOf, recompute } = core;
  const { outbox, pulls, sink } = wired;
  const { tabs, outboxTabs, load, session } = ctx;
  const commit = core.up.commit;
  return {
    outbox: outboxTabs,
    watching: interest.watched,
    heard: load.heard,
    followed() {
      traced.role('follower'); // metrics hook
      recompute(outboxTabs.followed());
      commit();
    },
    lead() {
      traced.role('leader'); // metrics hook
      health.own();
      load.loaded
        .then(outbox.load)
        .then(() => {
          load.heard();
          recompute(outbox.list());
          if (life.started && tabs.leading()) session.connect();
          commit();
        })
        .catch((error: unknown) => console.error('[syncline] this tab could not take the lead', error));
    },
    setRemote: interest.setRemote,
    remote: interest.remoteTabs,
    alive: (tab) => environment.isLockHeld?.(ctx.lockName(tab)).catch(() => true) ?? Promise.resolve(true),
    confirmed: (ids) => ids.flatMap((id) => book.confirmed(id) ?? []),
    ask(ids, again) {
      for (const id of ids) interest.ask(id);
      if (again) session.reconnect();
      else pulls.soon();
    },
    health: health.monitor.get,
    event: (event) => void (event.type !== 'reset' && sink.add(event)),
    threads(threads, synced) {
      for (const thread of threads) if (book.receive(thread)) book.recompute(thread.id, pendingOf(thread.id));
      const now = clock.now();
      for (const id of synced) book.markSynced(id, now);
      commit();
    },
    leaderHealth: health.mirror,
  };
}
