/**
 * The broker of the raw ZeroMQ direct-ack chain, run as its own process: it stamps each client
 * request with a seq and sends it to every node, with the client's routing id, and sends the client
 * nothing: the nodes ack to the client. Prints its endpoint, then `ready` once as many nodes as
 * argv[2] says have registered; exits on SIGTERM or when its parent goes away.
 */
import { bindChildRouter } from './child-router.js';
import { directAckWriteFrame, REGISTER, REQUEST } from './zmq-direct-ack-frames.js';

const expectedNodes = Number(process.argv[2]);
const router = await bindChildRouter();

const nodes: Buffer[] = [];
let seq = 0;
try {
  for await (const [sender, frame] of router) {
    if (sender === undefined || frame === undefined) continue;
    if (frame[0] === REQUEST) {
      seq = (seq + 1) >>> 0;
      const write = directAckWriteFrame(seq, sender, frame);
      for (const node of nodes) await router.send([node, write]);
    } else if (frame[0] === REGISTER) {
      nodes.push(sender);
      if (nodes.length === expectedNodes) console.log('ready');
    }
    // Anything else is a node's periodic cumulative ack: nothing waits on it here.
  }
} catch {
  // Closed.
}
