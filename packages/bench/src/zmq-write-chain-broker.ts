/**
 * The broker of the raw ZeroMQ write chain, run as its own process: the topology of a Brainer
 * `wait=all` write with none of its logic. Clients and nodes connect DEALERs to this one ROUTER.
 * Each client request gets a sequence number and goes to every node as one frame; once every node
 * has acked that number, the client gets its reply. Prints its endpoint on one line, then `ready`
 * once as many nodes as argv[2] says have registered; exits on SIGTERM or when its parent goes away.
 */
import { bindChildRouter } from './child-router.js';
import { ACK, ackedSeq, REGISTER, REPLY_FRAME, REQUEST, writeFrame } from './zmq-write-chain-frames.js';

interface PendingWrite {
  client: Buffer;
  acksLeft: number;
}

const expectedNodes = Number(process.argv[2]);
const router = await bindChildRouter();

const nodes: Buffer[] = [];
const pending = new Map<number, PendingWrite>();
let seq = 0;
try {
  for await (const [sender, frame] of router) {
    if (sender === undefined || frame === undefined) continue;
    if (frame[0] === REQUEST) {
      seq = (seq + 1) >>> 0;
      pending.set(seq, { client: sender, acksLeft: nodes.length });
      const write = writeFrame(seq, frame);
      for (const node of nodes) await router.send([node, write]);
    } else if (frame[0] === ACK) {
      const acked = ackedSeq(frame);
      const write = pending.get(acked);
      if (write !== undefined && --write.acksLeft === 0) {
        pending.delete(acked);
        await router.send([write.client, REPLY_FRAME]);
      }
    } else if (frame[0] === REGISTER) {
      nodes.push(sender);
      if (nodes.length === expectedNodes) console.log('ready');
    }
  }
} catch {
  // Closed.
}
