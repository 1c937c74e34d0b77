import type { ChildProcess } from 'node:child_process';
import { Dealer } from 'zeromq';
import { spawnScript, waitForLine } from './child-script.js';
import { killAndWait } from './redis-cluster.js';
import { requestFrame } from './zmq-write-chain-frames.js';

export interface ZmqWriteChain {
  /** One write through the chain on connection `worker`: answered once every node has acked it. */
  roundTrip(worker: number, request: Buffer): Promise<void>;
  /** Closes the DEALERs and kills the chain's processes by PID. */
  stop(): Promise<void>;
  /** The broker's PID, then the nodes'. */
  pids: number[];
}

/**
 * Starts the raw ZeroMQ write chain (a broker process and `nodes` node processes, the topology of
 * a Brainer `wait=all` write with none of its logic) and connects `connections` client DEALERs,
 * one per connection. Requests are made with `requestFrame`.
 */
export async function startZmqWriteChain(connections: number, nodes = 3): Promise<ZmqWriteChain> {
  const children: ChildProcess[] = [];
  const dealers: Dealer[] = [];
  const stop = async (): Promise<void> => {
    for (const dealer of dealers.splice(0)) dealer.close();
    await Promise.all(children.splice(0).map((child) => killAndWait(child)));
  };
  try {
    const broker = spawnScript('zmq-write-chain-broker', [String(nodes)]);
    children.push(broker);
    const endpoint = await waitForLine(broker, 'zmq write chain broker');
    const ready = waitForLine(broker, `zmq write chain broker (${nodes} nodes)`, (line) => line === 'ready');
    for (let i = 0; i < nodes; i++) children.push(spawnScript('zmq-write-chain-node', [endpoint]));
    await ready;
    for (let i = 0; i < connections; i++) {
      const dealer = new Dealer({ linger: 0 });
      dealer.connect(endpoint);
      dealers.push(dealer);
    }
    const chain: ZmqWriteChain = {
      async roundTrip(worker, request) {
        const dealer = dealers[worker]!;
        await dealer.send(request);
        await dealer.receive();
      },
      stop,
      pids: children.map((child) => child.pid!),
    };
    const warm = requestFrame('warm', Buffer.alloc(0));
    await Promise.all(dealers.map((_, worker) => chain.roundTrip(worker, warm)));
    return chain;
  } catch (err) {
    await stop();
    throw err;
  }
}
