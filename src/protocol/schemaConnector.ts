import { validateWith, type StandardSchemaV1 } from '../model/standardSchema.js';
import type { Thread } from '../model/types.js';
import type { SyncConnector } from './wire.js';
import { protocolError } from './validate.js';

/**
 * The connector with every thread it brings checked by the app's schema, after the protocol's own
 * checks: a pull holding one invalid thread fails whole, an invalid `thread` event ends the
 * stream, both as a retryable `protocol` SyncError. Nothing of either reaches the store.
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
      const response = await connector.pull(request, options);
      for (const thread of response.threads) check('POST /pull', thread);
      return response;
    },
    openStream:
      openStream &&
      ((options) =>
        openStream.call(connector, {
          ...options,
          // Throwing here ends the stream with this error (the connectors' contract).
          onEvent(event) {
            if (event.type === 'thread') check('GET /events', event.thread);
            options.onEvent(event);
          },
        })),
  };
}
