import type { SyncTraceEvent } from '../client/metrics/trace.js';

/** One line of plain text for a trace event (rendered as text, never as HTML). */
export function describeEvent(e: SyncTraceEvent): string {
  switch (e.type) {
    case 'write-queued':
      return `write queued ${e.name} ${e.writeId} (${e.threadId})`;
    case 'push':
      return `push ${e.writes.length} write(s): ${e.writes.map((w) => w.writeId).join(', ')} · ${e.bytes} B`;
    case 'push-answer':
      return `push answer in ${e.ms} ms: ${e.results.map((r) => `${r.writeId} ${r.status}${r.code ? ` (${r.code})` : ''}`).join(', ')}`;
    case 'request-failed':
      return `${e.request} failed${e.status === null ? '' : ` HTTP ${e.status}`} (${e.kind}) in ${e.ms} ms: ${e.message}`;
    case 'write-settled':
      return `write ${e.outcome} ${e.writeId} after ${e.attempts} attempt(s), ${e.latencyMs} ms`;
    case 'retry-scheduled':
      return `retry in ${Math.max(0, e.retryAt - e.at)} ms`;
    case 'pull':
      return `pull ${e.threads} thread(s) in ${e.ms} ms · ${e.bytesReceived} B`;
    case 'stream-opened':
      return 'stream opened';
    case 'stream-event':
      return `stream event ${e.event}${e.threadId ? ` (${e.threadId})` : ''}`;
    case 'stream-closed':
      return `stream closed${e.status === null ? '' : ` HTTP ${e.status}`}${e.kind ? ` (${e.kind})` : ''}`;
    case 'health':
      return `health ${e.state}${e.reason ? `: ${e.reason}` : ''}${e.transport ? ` via ${e.transport}` : ''}`;
    case 'tab-role':
      return `tab role ${e.role}`;
  }
}
