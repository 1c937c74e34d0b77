/**
 * A node of the raw ZeroMQ write chain, run as its own process: a DEALER connected to the chain's
 * broker (argv[2]) that registers, then acks every write it gets with the write's sequence
 * number. Exits on SIGTERM or when its parent goes away.
 */
import { Dealer } from 'zeromq';
import { exitWithParent } from './exit-with-parent.js';
import { ackFrame, REGISTER_FRAME } from './zmq-write-chain-frames.js';

const dealer = new Dealer({ linger: 0 });
dealer.connect(process.argv[2]!);
exitWithParent(dealer);
await dealer.send(REGISTER_FRAME);
try {
  for await (const [write] of dealer) if (write !== undefined) await dealer.send(ackFrame(write));
} catch {
  // Closed.
}
