import type { EnvironmentEvent } from '../platform/environment.js';
import type { ClientCore } from './clientCore.js';
import type { ClientWired } from './clientWired.js';

/** Going online and offline: what `start()`, `stop()` and "Retry now" do, and the environment's events. */
export interface ClientSession {
  start(): void;
  stop(): void;
  reconnect(): void;
  /** Starts what only one tab runs: the outbox's sending, the stream, the poller. */
  connect(): void;
}

export function createClientSession(core: ClientCore, wired: ClientWired): ClientSession {
  const { life, environment, tabs, role, copy, book, interest } = core;
  const { outbox, streamChannel, poller, pulls, reach } = wired;
  const health = core.health.monitor;
  let unsubscribeEnvironment: (() => void) | null = null;

  function connect() {
    health.dispatch({ type: 'start' });
    if (!environment.isOnline()) health.dispatch({ type: 'offline' });
    outbox.start();
    streamChannel.start();
    poller.start();
    // Threads watched before start() are pulled now (the stream only carries what follows).
    pulls.soon();
  }

  /** Stops what `connect` started. */
  function disconnect() {
    pulls.clear();
    reach.stop();
    poller.stop();
    streamChannel.stop();
    outbox.stop();
    health.dispatch({ type: 'stop' });
  }

  /**
   * The one place environment events (online, offline, focus, visibility, activity, pagehide,
   * freeze, resume) enter the client, handed on in this order: the tab election, health and the
   * outbox, the stream, the poller.
   */
  function onEnvironment(event: EnvironmentEvent) {
    // A frozen tab cannot lead (nor answer): it leaves the election until it wakes.
    if (tabs && event === 'freeze') {
      disconnect();
      tabs.stop();
    } else if (tabs && event === 'resume') tabs.start();
    // A follower sends nothing itself: the leader's page watches the network.
    if (!role.following()) {
      if (event === 'offline') health.dispatch({ type: 'offline' });
      else if (event === 'pagehide') outbox.sendOnPageHide();
      else if (event === 'online') {
        health.dispatch({ type: 'online' });
        reach.online();
        outbox.retryNow(); // the backoff was for a sick network, not for this one
      }
    }
    if (event === 'pagehide') void copy?.flush();
    // Each acts only while it runs (only the leader's do, in tabs).
    streamChannel.handleEnvironment(event); // back online: reconnect at once
    poller.handleEnvironment(event); // focus and online pull now; the rest move the next pull
  }

  return {
    connect,
    start() {
      if (life.started || life.disposed) return;
      life.started = true;
      unsubscribeEnvironment = environment.subscribe(onEnvironment);
      if (tabs) tabs.start();
      else connect();
    },
    reconnect() {
      if (!life.started) return;
      if (role.following()) return tabs?.ask([...book.ids()], true);
      streamChannel.stop();
      streamChannel.start();
      outbox.retryNow();
      // Asked for by a person: every thread on screen, even if the page says it is offline.
      for (const id of book.ids()) interest.ask(id);
      pulls.now().catch(() => {});
    },
    stop() {
      if (!life.started) return;
      life.started = false;
      unsubscribeEnvironment?.();
      unsubscribeEnvironment = null;
      disconnect();
      tabs?.stop();
      core.health.own();
      void copy?.flush();
    },
  };
}
