/**
 * Liveness numbers for the bench table (README, "Bench"), measured on a fake clock: they count what
 * the code decides, not how fast a machine runs it.
 */
import { DEFAULT_RETRY } from '../src/protocol/backoff.js';
import type { HealthEvent } from '../src/liveness/health.js';
import { createPoller } from '../src/liveness/poller.js';
import { createStreamChannel } from '../src/liveness/streamChannel.js';
import type { StreamOptions, SyncConnector } from '../src/protocol/wire.js';
import { createFakeClock } from '../src/testing/fakeClock.js';
import { createFakeEnvironment } from '../src/testing/fakeEnvironment.js';

const HOUR = 3_600_000;

/** Pulls the adaptive poller makes in one hour with no user activity, tab visible. */
export async function pullsPerIdleHour(options: {
  pushLive: boolean;
  activeMs?: number;
  idleMs?: number;
}): Promise<number> {
  const clock = createFakeClock({ now: 0, seed: 1 });
  const environment = createFakeEnvironment(clock);
  let pulls = 0;
  const poller = createPoller({
    clock,
    environment,
    activeMs: options.activeMs,
    idleMs: options.idleMs,
    retry: DEFAULT_RETRY,
    isStreamLive: () => options.pushLive,
    pull: async () => {
      pulls += 1;
    },
  });
  poller.start();
  await clock.advanceAsync(HOUR);
  poller.stop();
  return pulls;
}

/**
 * How long after its last frame a stream that went silent without closing (a dead proxy, a
 * sleeping laptop's Wi-Fi) is reported stale. Budget: ≤ staleAfterMs + 1 s.
 */
export async function timeToDetectSilentStream(options: { staleAfterMs?: number; keepaliveMs?: number; framesBeforeSilence?: number } = {}): Promise<number> {
  const staleAfterMs = options.staleAfterMs ?? 7000;
  const keepaliveMs = options.keepaliveMs ?? 3000;
  const frames = options.framesBeforeSilence ?? 5;
  const clock = createFakeClock({ now: 0, seed: 1 });
  const environment = createFakeEnvironment(clock);
  let lastFrameAt = -1;
  let detectedAfter = -1;
  const connector: SyncConnector = {
    push: () => Promise.reject(new Error('unused')),
    pull: () => Promise.reject(new Error('unused')),
    ping: () => Promise.resolve(),
    openStream(stream: StreamOptions) {
      return new Promise<void>((resolve) => {
        stream.signal.addEventListener('abort', () => resolve());
        stream.onOpen();
        let sent = 0;
        const tick = () => {
          if (stream.signal.aborted || sent >= frames) return; // then silence: the connection hangs
          sent += 1;
          lastFrameAt = clock.now();
          stream.onFrame();
          clock.setTimeout(tick, keepaliveMs);
        };
        tick();
      });
    },
  };
  const channel = createStreamChannel({
    connector,
    clock,
    environment,
    staleAfterMs,
    retry: DEFAULT_RETRY,
    getCursor: () => null,
    onEvent: () => {},
    onHealth: (event: HealthEvent) => {
      if (event.type === 'stream-stale' && detectedAfter < 0) detectedAfter = clock.now() - lastFrameAt;
    },
  });
  channel.start();
  await clock.advanceAsync(frames * keepaliveMs + staleAfterMs + 60_000);
  channel.stop();
  if (detectedAfter < 0) throw new Error('the silent stream was never detected');
  return detectedAfter;
}
