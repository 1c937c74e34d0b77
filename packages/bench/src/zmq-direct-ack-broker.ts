/**
 * The broker of the raw ZeroMQ direct-ack chain, run as its own process: it stamps each client
 * request with a seq and sends it to every node, with the client's routing id, and sends the client
 * nothing: the nodes ack to the client. Their periodic cumulative acks are ignored: nothing waits
 * on them here. Prints its endpoint, then `ready` once as many nodes as argv[2] says have
 * registered; exits on SIGTERM or when its parent goes away.
 */
import { runChainBroker } from './chain-broker.js';
import { directAckWriteFrame } from './zmq-direct-ack-frames.js';

await runChainBroker(Number(process.argv[2]), { toWrite: directAckWriteFrame });
