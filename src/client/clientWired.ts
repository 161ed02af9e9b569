import type { Outbox } from '../outbox/outbox.js';
import type { Poller } from '../liveness/poller.js';
import type { StreamChannel } from '../liveness/streamChannel.js';
import type { ClientPulls } from './clientPulls.js';
import type { Reachability } from './reachability.js';
import type { StreamSink } from './streamSink.js';

/** The parts that talk to the server, built from the core. */
export interface ClientWired {
  reach: Reachability;
  poller: Poller;
  pulls: ClientPulls;
  sink: StreamSink;
  streamChannel: StreamChannel;
  outbox: Outbox;
}
