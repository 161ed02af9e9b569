import { useEffect, useId, useRef, useState } from 'react';
import type { Faults } from 'syncline/testing';
import { fromFaults, noFaults, RETRY_AFTER_SECONDS, toFaults } from './faultSettings';
import type { FaultSettings } from './faultSettings';

type Outcome = { kind: 'idle' } | { kind: 'saving' } | { kind: 'saved' } | { kind: 'error'; message: string };

const ERROR_RATES = [0, 0.1, 0.2, 0.5, 1];
const LATENCIES = [0, 300, 1000, 3000];
const REFRESH_MS = 3000;

async function adminFaults(serverUrl: string, faults?: Faults): Promise<Faults> {
  const res = await fetch(`${serverUrl}/admin/faults`, {
    method: faults ? 'POST' : 'GET',
    headers: faults ? { 'content-type': 'application/json' } : undefined,
    body: faults ? JSON.stringify(faults) : undefined,
  });
  if (!res.ok) throw new Error(`The dev server answered ${res.status}.`);
  return (await res.json()) as Faults;
}

const describe = (error: unknown) =>
  `Could not reach the dev server's admin routes: ${error instanceof Error ? error.message : String(error)}`;

/** Switches that make the dev server misbehave (POST /admin/faults), to watch the UI stay honest. */
export function FaultPanel({ serverUrl }: { serverUrl: string }) {
  const [settings, setSettings] = useState<FaultSettings>(noFaults);
  const [outcome, setOutcome] = useState<Outcome>({ kind: 'idle' });
  const latest = useRef(0);
  const id = useId();

  // Faults can also be set with curl or by a test: show what the server has, every few seconds.
  useEffect(() => {
    let cancelled = false;
    const refresh = () => {
      const attempt = latest.current;
      adminFaults(serverUrl).then(
        // A change made meanwhile wins over what the server had before it.
        (faults) => !cancelled && attempt === latest.current && setSettings(fromFaults(faults)),
        (error: unknown) => !cancelled && setOutcome({ kind: 'error', message: describe(error) }),
      );
    };
    refresh();
    const timer = setInterval(refresh, REFRESH_MS);
    return () => {
      cancelled = true;
      clearInterval(timer);
    };
  }, [serverUrl]);

  const change = (patch: Partial<FaultSettings>) => {
    const next = { ...settings, ...patch };
    setSettings(next);
    setOutcome({ kind: 'saving' });
    // Only the answer to the last change counts: answers can come back out of order.
    const attempt = ++latest.current;
    adminFaults(serverUrl, toFaults(next)).then(
      () => attempt === latest.current && setOutcome({ kind: 'saved' }),
      (error: unknown) => attempt === latest.current && setOutcome({ kind: 'error', message: describe(error) }),
    );
  };

  return (
    <section className="faults" aria-labelledby={`${id}-title`}>
      <h2 id={`${id}-title`} className="panel__title">
        Server faults
      </h2>
      <p className="muted">Applied to the dev server at once, for every client.</p>
      <label className="field field--check">
        <input type="checkbox" name="offline" checked={settings.offline} onChange={(e) => change({ offline: e.target.checked })} />
        Offline (refuse every request)
      </label>
      <label className="field">
        <span>Error rate (503)</span>
        <select name="errorRate" value={settings.errorRate} onChange={(e) => change({ errorRate: Number(e.target.value) })}>
          {ERROR_RATES.map((rate) => (
            <option key={rate} value={rate}>
              {rate === 0 ? 'None' : `${Math.round(rate * 100)} %`}
            </option>
          ))}
        </select>
      </label>
      <label className="field">
        <span>Latency</span>
        <select name="latencyMs" value={settings.latencyMs} onChange={(e) => change({ latencyMs: Number(e.target.value) })}>
          {LATENCIES.map((ms) => (
            <option key={ms} value={ms}>
              {ms === 0 ? 'None' : `${ms} ms ± ${ms / 2}`}
            </option>
          ))}
        </select>
      </label>
      <label className="field field--check">
        <input type="checkbox" name="rateLimit" checked={settings.rateLimit} onChange={(e) => change({ rateLimit: e.target.checked })} />
        429 bursts (Retry-After {RETRY_AFTER_SECONDS} s)
      </label>
      <label className="field field--check">
        <input type="checkbox" name="stall" checked={settings.stall} onChange={(e) => change({ stall: e.target.checked })} />
        Stall the live stream
      </label>
      <p role="status" className={`faults__outcome faults__outcome--${outcome.kind}`} data-state={outcome.kind}>
        {outcome.kind === 'saving' ? 'Applying…' : outcome.kind === 'saved' ? 'Applied.' : outcome.kind === 'error' ? outcome.message : ''}
      </p>
    </section>
  );
}
