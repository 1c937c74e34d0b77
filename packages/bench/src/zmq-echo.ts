import { Dealer } from 'zeromq';
import { spawnScript, waitForLine } from './child-script.js';
import { killAndWait } from './redis-cluster.js';

export interface ZmqEcho {
  /** One round trip through the echo server. */
  roundTrip(payload: Buffer): Promise<void>;
  /** Closes the DEALER and kills the echo process by PID. */
  stop(): Promise<void>;
}

/** Starts the ROUTER echo in a child process and connects one DEALER to it. */
export async function startZmqEcho(): Promise<ZmqEcho> {
  const child = spawnScript('zmq-echo-server');
  try {
    const endpoint = await waitForLine(child, 'zmq echo server');
    const dealer = new Dealer({ linger: 0 });
    dealer.connect(endpoint);
    const echo: ZmqEcho = {
      async roundTrip(payload) {
        await dealer.send(payload);
        await dealer.receive();
      },
      async stop() {
        dealer.close();
        await killAndWait(child);
      },
    };
    await echo.roundTrip(Buffer.from('warm'));
    return echo;
  } catch (err) {
    await killAndWait(child);
    throw err;
  }
}
