import type { Environment, TabChannel } from '../platform/environment.js';
import { isRecord } from '../model/isRecord.js';
import type { OutboxRelay, OutboxTabs, RelayReport } from '../outbox/outbox.js';
import type { HealthStatus, Thread } from '../model/types.js';
import type { ServerEvent } from '../protocol/wire.js';
import type { StoredWrite } from '../platform/storage.js';

/** What tabs of one origin and namespace say to each other (docs/tabs.md). Plain data only. */
export type TabMessage =
  | { t: 'hi'; from: string; watch: string[]; writes: StoredWrite[] }
  | { t: 'write'; from: string; write: StoredWrite }
  | { t: 'discard'; from: string; id: string }
  | { t: 'watch'; from: string; watch: string[] }
  | { t: 'ask'; from: string; ids: string[]; reconnect?: boolean }
  | { t: 'bye'; from: string }
  | { t: 'lead'; from: string }
  | { t: 'event'; event: ServerEvent }
  | { t: 'threads'; threads: Thread[]; synced: string[] }
  | { t: 'health'; health: HealthStatus }
  | { t: 'relay'; report: RelayReport };

/** What the tab link drives in its client, handed to it once those parts exist (`listen`). */
export interface TabHost {
  /** The outbox's side for the tabs: other tabs' writes, reports on this tab's. */
  outbox: OutboxTabs;
  /** Every thread this tab watches. */
  watching(): string[];
  /** This tab became the leader: load the outbox, open the stream, poll, push. */
  lead(): void;
  /** This tab follows from now (it was leading or alone): leave the sending to the leader. */
  followed(): void;
  /** A leader spoke, or this tab left the election: a follower's first load waits for this. */
  heard(): void;
  // The leader hears the followers:
  setRemote(tab: string, watch: string[] | null): void;
  /** The tabs whose watch sets this leader keeps. */
  remote(): string[];
  /** Whether a tab still lives (holds its client lock). */
  alive(tab: string): Promise<boolean>;
  /** The confirmed copies this tab holds of these threads. */
  confirmed(ids: string[]): Thread[];
  ask(ids: string[], reconnect: boolean): void;
  health(): HealthStatus;
  // A follower hears the leader:
  event(event: ServerEvent): void;
  threads(threads: Thread[], synced: string[]): void;
  leaderHealth(health: HealthStatus): void;
}

/**
 * The lock that elects the leader and the channel, per protocol version: after a deploy, tabs of
 * the old and the new version do not share a leader they cannot understand (each version then
 * elects its own, and both stay correct).
 */
export const leaderLock = (namespace: string) => `syncline-leader:v1:${namespace}`;
const channelName = (namespace: string) => `syncline:v1:${namespace}`;

/** Where this tab stands: `alone` until it follows or wins the election (it then sends as a lone client would). */
type TabRole = 'alone' | 'leading' | 'following';

/**
 * Leadership among the tabs of one origin and namespace, and its one owner (docs/tabs.md): a Web
 * Lock held for the leader's life elects it, a BroadcastChannel carries the rest. The outbox asks
 * it who sends (it is the outbox's relay), the client asks it whether this tab follows. `me` is
 * this tab's clientId. Returns undefined where the environment has no locks or no channel: the
 * client then works alone.
 */
export function createTabLink(environment: Environment, namespace: string, me: string) {
  if (!environment.openChannel || !environment.holdLock) return undefined;
  const holdLock = environment.holdLock;
  let role: TabRole = 'alone';
  let host: TabHost | null = null;
  let release: (() => void) | null = null;
  // What other tabs say is heard from `start()` on (`hear` drops the rest).
  const channel: TabChannel | undefined = environment.openChannel(channelName(namespace), hear);
  if (!channel) return undefined;
  const post = (message: TabMessage) => channel.post(message);
  /**
   * Leading: what every follower should hear. Nothing when none has said hello: a lone tab
   * streaming a long reply clones no frame for nobody (a new follower gets the threads on hello).
   */
  const tell = (message: TabMessage) => {
    if (role === 'leading' && host !== null && host.remote().length > 0) post(message);
  };

  /** Another tab leads: returns whether this one stopped leading (or being alone) just now. */
  function follow(): boolean {
    if (role === 'following') return false;
    role = 'following';
    host?.followed();
    return true;
  }

  function hear(data: unknown) {
    if (!release || !host || !isRecord(data)) return;
    try {
      handle(host, data as TabMessage);
    } catch (error) {
      // Only pages of this origin can post here; a malformed message is dropped, not thrown.
      console.error('[syncline] a message from another tab could not be read', error);
    }
  }

  function handle(host: TabHost, m: TabMessage) {
    if (role === 'leading') {
      if (m.t === 'hi' || m.t === 'watch') {
        host.setRemote(m.from, m.watch);
        post({ t: 'health', health: host.health() });
        share(host, m.watch);
        host.ask([], false);
      }
      if (m.t === 'hi') for (const write of m.writes) host.outbox.take(write);
      if (m.t === 'write') host.outbox.take(m.write);
      if (m.t === 'discard') host.outbox.withdraw(m.id);
      if (m.t === 'ask') {
        share(host, m.ids);
        host.ask(m.ids, m.reconnect === true);
      }
      if (m.t === 'bye') host.setRemote(m.from, null);
      return;
    }
    // Only a leader speaks without `from` (or says `lead`): another tab won the election. A new
    // leader, or one this tab just learnt of, hears what this tab watches and what it wrote.
    const fromLeader = m.t === 'lead' || !('from' in m);
    if (fromLeader) host.heard();
    const switched = fromLeader && follow();
    if (switched || m.t === 'lead') hello(host);
    if (m.t === 'event') host.event(m.event);
    else if (m.t === 'threads') host.threads(m.threads, m.synced);
    else if (m.t === 'health') host.leaderHealth(m.health);
    else if (m.t === 'relay') host.outbox.hear(m.report);
  }

  function share(host: TabHost, ids: string[]) {
    const threads = host.confirmed(ids);
    if (threads.length > 0) post({ t: 'threads', threads, synced: [] });
  }

  /** Tells the (new) leader what this tab watches and which of its writes still wait. */
  function hello(host: TabHost) {
    post({ t: 'hi', from: me, watch: host.watching(), writes: host.outbox.handOver() });
  }

  const relay: OutboxRelay = {
    shared: true,
    following: () => role === 'following',
    /** Following: a write of this tab, stored. */
    announce: (write: StoredWrite) => post({ t: 'write', from: me, write }),
    /** Following: this tab's queued write, discarded by the person (the leader takes it out). */
    withdraw: (id: string) => post({ t: 'discard', from: me, id }),
    /** Leading: what became of other tabs' writes. */
    report: (report: RelayReport) => tell({ t: 'relay', report }),
  };

  return {
    ...relay,
    leading: () => role === 'leading',
    follow,
    /** Hands the link the parts it drives; what other tabs say is heard from `start()` on. */
    listen(parts: TabHost) {
      host = parts;
      // Told to follow before it could hear (its first load found a leader): the client follows now.
      if (role === 'following') parts.followed();
    },
    /** Leading: forgets what crashed tabs watched (a closed tab says `bye`; a crashed one cannot). */
    async prune() {
      if (!host) return;
      for (const tab of host.remote()) if (!(await host.alive(tab))) host.setRemote(tab, null);
    },
    /** Joins the election: follows until this tab holds the lock, then leads until stopped. */
    start() {
      if (release || !host) return;
      const parts = host;
      hello(parts);
      release = holdLock(leaderLock(namespace), () => {
        if (!release) return;
        role = 'leading';
        parts.lead();
        post({ t: 'lead', from: me });
      });
    },
    /** Leaves the election; a leader's lock goes to the next tab in line. */
    stop() {
      release?.();
      release = null;
      if (role !== 'leading') post({ t: 'bye', from: me });
      host?.heard();
      follow();
    },
    close() {
      channel.close();
    },
    tell,
    /** Following: a changed watch set, or threads to pull now. */
    watched() {
      if (host) post({ t: 'watch', from: me, watch: host.watching() });
    },
    ask: (ids: string[], reconnect = false) => post({ t: 'ask', from: me, ids, reconnect }),
  };
}

export type TabLink = NonNullable<ReturnType<typeof createTabLink>>;
