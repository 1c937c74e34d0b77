/**
 * The broker of the raw ZeroMQ write chain, run as its own process: the topology of a Brainer
 * `wait=all` write with none of its logic. Clients and nodes connect DEALERs to this one ROUTER.
 * Each client request gets a sequence number and goes to every node as one frame; once every node
 * has acked that number, the client gets its reply. Prints its endpoint on one line, then `ready`
 * once as many nodes as argv[2] says have registered; exits on SIGTERM or when its parent goes away.
 */
import { runChainBroker } from './chain-broker.js';
import { ACK, ackedSeq, REPLY_FRAME, writeFrame } from './zmq-write-chain-frames.js';

interface PendingWrite {
  client: Buffer;
  acksLeft: number;
}

const expectedNodes = Number(process.argv[2]);
const pending = new Map<number, PendingWrite>();
await runChainBroker(expectedNodes, {
  toWrite(seq, client, request) {
    pending.set(seq, { client, acksLeft: expectedNodes });
    return writeFrame(seq, request);
  },
  async onOther(router, _sender, frame) {
    if (frame[0] !== ACK) return;
    const acked = ackedSeq(frame);
    const write = pending.get(acked);
    if (write !== undefined && --write.acksLeft === 0) {
      pending.delete(acked);
      await router.send([write.client, REPLY_FRAME]);
    }
  },
});
