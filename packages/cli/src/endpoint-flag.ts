import { requireEndpoint } from '@brainer/protocol';
import { Flags } from '@oclif/core';

/**
 * The broker endpoint everything uses unless told otherwise: `broker.sock` in a private directory
 * (`$XDG_RUNTIME_DIR/brainer`, `/run/brainer` for root, else `/tmp/brainer-UID`), where no other
 * local user can bind first. The original Brainer's `ipc:///tmp/broker.sock` works when given.
 */
export { DEFAULT_BROKER_ENDPOINT } from '@brainer/protocol';

/** `--allow-foreign-socket`, for the commands that connect to a broker. */
export const allowForeignSocketFlags = {
  'allow-foreign-socket': Flags.boolean({
    description:
      "Connect to an ipc socket (or one in a directory) that belongs to another local user, not root. Off by default: that user's process would receive every key and value sent, so it is refused with ERR_UNSAFE_ENDPOINT.",
    default: false,
    helpGroup: 'SECURITY',
  }),
};

/**
 * A flag holding a ZeroMQ endpoint (`tcp://host:port`, `ipc:///path`). A malformed value fails
 * with ERR_INVALID_OPTION naming the flag.
 */
export const endpointFlag = Flags.custom<string>({
  helpValue: '<endpoint>',
  parse: async (input, _context, flag) => requireEndpoint(`--${flag.name}`, input),
});
