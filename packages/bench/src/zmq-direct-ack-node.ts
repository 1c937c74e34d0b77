/**
 * A node of the raw ZeroMQ direct-ack chain, run as its own process: a DEALER to the broker
 * (argv[2]) that registers and takes the writes, and a ROUTER of its own that clients connect to,
 * on which it answers each client's greeting and acks each write to the client that made it. Every 100 ms it tells the broker the last
 * seq it applied. Prints its endpoint; exits on SIGTERM or when its parent goes away.
 */
import { Dealer, Router } from 'zeromq';
import { exitWithParent } from './exit-with-parent.js';
import { REGISTER, seqAckFrame, writeClient, writeSeq } from './zmq-direct-ack-frames.js';

/** How often the broker hears how far this node has applied. */
const PROGRESS_MS = 100;

const toBroker = new Dealer({ linger: 0 });
const toClients = new Router({ linger: 0 });
await toClients.bind('tcp://127.0.0.1:*');
toBroker.connect(process.argv[2]!);
console.log(toClients.lastEndpoint);
exitWithParent({
  close() {
    toBroker.close();
    toClients.close();
  },
});
await toBroker.send(Buffer.of(REGISTER));

// Greetings from clients, answered so that each knows its acks can reach it.
void (async () => {
  try {
    for await (const [client, hello] of toClients) if (client !== undefined && hello !== undefined) await toClients.send([client, hello]);
  } catch {
    // Closed.
  }
})();

let applied = 0;
setInterval(() => void toBroker.send(seqAckFrame(applied)).catch(() => undefined), PROGRESS_MS).unref();
try {
  for await (const [write] of toBroker) {
    if (write === undefined) continue;
    applied = writeSeq(write);
    await toClients.send([writeClient(write), seqAckFrame(applied)]);
  }
} catch {
  // Closed.
}
