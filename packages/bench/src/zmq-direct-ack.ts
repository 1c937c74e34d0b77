import type { ChildProcess } from 'node:child_process';
import { Dealer } from 'zeromq';
import { spawnScript, waitForLine } from './child-script.js';
import { killAndWait } from './redis-cluster.js';
import { HELLO_FRAME } from './zmq-direct-ack-frames.js';

export interface ZmqDirectAck {
  /** One write on connection `worker`: sent to the broker, done once every node has acked it to this client. */
  roundTrip(worker: number, request: Buffer): Promise<void>;
  /** Closes the DEALERs and kills the processes by PID. */
  stop(): Promise<void>;
  /** The broker's PID, then the nodes'. */
  pids: number[];
}

interface Connection {
  toBroker: Dealer;
  toNodes: Dealer[];
}

/**
 * Starts the raw ZeroMQ direct-ack chain (a broker process and `nodes` node processes) and connects
 * `connections` clients, each with a DEALER to the broker and one to every node, all under one
 * routing id, so that a node can ack a write straight to the client the broker names. Requests are
 * made with `requestFrame`, as for the write chain.
 */
export async function startZmqDirectAck(connections: number, nodes = 3): Promise<ZmqDirectAck> {
  const children: ChildProcess[] = [];
  const sockets: Dealer[] = [];
  const stop = async (): Promise<void> => {
    for (const socket of sockets.splice(0)) socket.close();
    await Promise.all(children.splice(0).map((child) => killAndWait(child)));
  };
  const dealer = (routingId: string, endpoint: string): Dealer => {
    const socket = new Dealer({ linger: 0, routingId });
    socket.connect(endpoint);
    sockets.push(socket);
    return socket;
  };
  try {
    const broker = spawnScript('zmq-direct-ack-broker', [String(nodes)]);
    children.push(broker);
    const brokerEndpoint = await waitForLine(broker, 'zmq direct-ack broker');
    const ready = waitForLine(broker, `zmq direct-ack broker (${nodes} nodes)`, (line) => line === 'ready');
    const nodeEndpoints: string[] = [];
    for (let i = 0; i < nodes; i++) {
      const node = spawnScript('zmq-direct-ack-node', [brokerEndpoint]);
      children.push(node);
      nodeEndpoints.push(await waitForLine(node, 'zmq direct-ack node'));
    }
    await ready;
    const clients: Connection[] = Array.from({ length: connections }, (_, i) => {
      const routingId = `client-${i}`;
      return { toBroker: dealer(routingId, brokerEndpoint), toNodes: nodeEndpoints.map((endpoint) => dealer(routingId, endpoint)) };
    });
    // A ROUTER drops what it sends a peer it has not heard from yet: each client greets every node
    // and waits for the greeting back, so that the first acks are not lost.
    await Promise.all(
      clients.flatMap(({ toNodes }) =>
        toNodes.map(async (node) => {
          await node.send(HELLO_FRAME);
          await node.receive();
        }),
      ),
    );
    return {
      async roundTrip(worker, request) {
        const client = clients[worker]!;
        await client.toBroker.send(request);
        await Promise.all(client.toNodes.map((node) => node.receive()));
      },
      stop,
      pids: children.map((child) => child.pid!),
    };
  } catch (err) {
    await stop();
    throw err;
  }
}
