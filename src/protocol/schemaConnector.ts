import { validateWith, type StandardSchemaV1 } from '../model/standardSchema.js';
import type { Thread } from '../model/types.js';
import type { SyncConnector } from './wire.js';
import { protocolError } from './validate.js';

/**
 * The connector with every thread it brings checked by the app's schema, after the protocol's own
 * checks: a pull holding one invalid thread fails whole, an invalid `thread` event ends the
 * stream, both as a retryable `protocol` SyncError. Nothing of either reaches the store.
 *
 * A patch changes a thread the schema never sees whole, so with a schema the client asks for
 * protocol v1 (whole threads and content deltas; docs/protocol.md, "Negotiation"): every thread it
 * takes is checked, at the cost of v1's bytes.
 */
export function withThreadSchema(connector: SyncConnector, schema: StandardSchemaV1): SyncConnector {
  // The thread as sent, not the schema's output: a schema that strips or defaults fields must not
  // change what the server said.
  const check = (route: string, thread: Thread): Thread => {
    const problem = validateWith(schema, thread, `thread ${JSON.stringify(thread.id)}`);
    if (problem) throw protocolError(route, `${problem} (the app's thread schema)`);
    return thread;
  };
  const { openStream } = connector;
  return {
    push: (request, options) => connector.push(request, options),
    ping: (options) => connector.ping(options),
    async pull(request, options) {
      const { protocol: _v2, ...v1 } = request;
      const response = await connector.pull(v1, options);
      if (response.patches && response.patches.length > 0) throw protocolError('POST /pull', 'patches in an answer to a v1 pull (the app checks threads with a schema)');
      for (const thread of response.threads) check('POST /pull', thread);
      return response;
    },
    openStream:
      openStream &&
      ((options) =>
        openStream.call(connector, {
          ...options,
          protocol: 1,
          // Throwing here ends the stream with this error (the connectors' contract).
          onEvent(event) {
            if (event.type === 'thread') check('GET /events', event.thread);
            if (event.type === 'patch') throw protocolError('GET /events', 'a patch on a v1 stream (the app checks threads with a schema)');
            options.onEvent(event);
          },
        })),
  };
}
