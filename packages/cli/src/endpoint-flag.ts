import { requireEndpoint } from '@brainer/protocol';
import { Flags } from '@oclif/core';

/** The broker endpoint everything uses unless told otherwise, as in the original Brainer. */
export const DEFAULT_BROKER_ENDPOINT = 'ipc:///tmp/broker.sock';

/**
 * A flag holding a ZeroMQ endpoint (`tcp://host:port`, `ipc:///path`). A malformed value fails
 * with ERR_INVALID_OPTION naming the flag.
 */
export const endpointFlag = Flags.custom<string>({
  helpValue: '<endpoint>',
  parse: async (input, _context, flag) => requireEndpoint(`--${flag.name}`, input),
});
