/**
 * The frames of the raw ZeroMQ direct-ack chain: the write chain with the last hop cut. The broker
 * stamps a client's write and sends it to every node with the client's routing id; each node acks
 * it straight to the client. Nodes tell the broker how far they have applied only with a periodic
 * cumulative ack, as a broker that no longer collects acks would still need to know.
 */
import { ACK, REGISTER } from './zmq-write-chain-frames.js';

export { REGISTER };

const SEQ_BYTES = 4;

/** What a client sends each node once it connects, and the node sends back: until then the node's ROUTER cannot reach it. */
export const HELLO_FRAME = Buffer.of(REGISTER);

/** What the broker sends every node for a client's request: the seq, the client's id (its length, then its bytes), the key and value. */
export function directAckWriteFrame(seq: number, client: Buffer, request: Buffer): Buffer {
  const frame = Buffer.allocUnsafe(SEQ_BYTES + 1 + client.length + request.length - 1);
  frame.writeUInt32BE(seq, 0);
  frame[SEQ_BYTES] = client.length;
  client.copy(frame, SEQ_BYTES + 1);
  request.copy(frame, SEQ_BYTES + 1 + client.length, 1);
  return frame;
}

/** The routing id of the client a write frame came from. */
export function writeClient(write: Buffer): Buffer {
  return write.subarray(SEQ_BYTES + 1, SEQ_BYTES + 1 + write[SEQ_BYTES]!);
}

/** An ack of a seq: the kind byte and the seq; what a node sends the client, and the broker now and then. */
export function seqAckFrame(seq: number): Buffer {
  const frame = Buffer.allocUnsafe(1 + SEQ_BYTES);
  frame[0] = ACK;
  frame.writeUInt32BE(seq, 1);
  return frame;
}

export const writeSeq = (write: Buffer): number => write.readUInt32BE(0);
