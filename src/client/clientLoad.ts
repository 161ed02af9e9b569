import type { Outbox } from '../outbox/outbox.js';
import type { ClientCore } from './clientCore.js';
import { leaderLock } from './tabs.js';

/** The client's first load: the stored writes, the local copy, and when the client is `ready`. */
export interface ClientLoad {
  /** The stored writes are loaded (alone, or by a tab that found no leader) or this tab follows. */
  loaded: Promise<void>;
  /** The local copy is on screen (at once without one). */
  restored: Promise<void>;
  /** `client.ready`: loaded, the copy shown, and a follower heard from its leader. */
  ready: Promise<void>;
  /** A leader answered (or this tab left the election): a follower's `ready` waits for it. */
  heard(): void;
}

/**
 * In tabs, a follower loads nothing: the leader holds the stored writes. A tab that finds no
 * leader loads them as a lone client does, and follows if another tab wins the election. A
 * follower is ready once the leader answered it (after start()). Every tab reads the copy: on
 * screen before any network answer, the pending writes on top.
 */
export function startClientLoad(core: ClientCore, outbox: Outbox): ClientLoad {
  const { environment, tabs, copy, book, up } = core;
  let heard!: () => void;
  const leaderHeard = new Promise<void>((resolve) => (heard = resolve));
  const loaded = tabs
    ? (environment.isLockHeld?.(leaderLock(core.namespace)) ?? Promise.resolve(false))
        .catch(() => false)
        // The query may answer after this tab took the lock itself: then it sees its own.
        .then((led) => (led && !tabs.leading() ? void tabs.follow() : outbox.load()))
    : outbox.load();
  const restored = copy
    ? copy
        .restore()
        .then((threads) => {
          book.restore(threads, core.pendingOf);
          up.commit();
        })
        .catch((error: unknown) => console.error('[syncline] the local copy could not be shown', error))
    : Promise.resolve();
  const ready = (copy ? Promise.all([loaded, restored]) : loaded)
    .then(() => (core.role.following() ? leaderHeard : undefined))
    .then(() => {
      core.recompute(outbox.list());
      up.commit();
    });
  return { loaded, restored, ready, heard };
}
