import { spawnSync } from 'node:child_process';
import { Dealer, Request } from 'zeromq';

/** A plain REQ socket, as the JSON ops protocol's users have. Close it when done. */
export class JsonRequester {
  readonly socket = new Request({ receiveTimeout: 10_000, linger: 0 });

  constructor(endpoint: string) {
    this.socket.connect(endpoint);
  }

  /** Sends one request (an object as JSON; a string or Buffer as it is) and parses the reply. */
  async ask(request: unknown): Promise<Record<string, unknown>> {
    await this.socket.send(typeof request === 'string' || Buffer.isBuffer(request) ? request : JSON.stringify(request));
    const [reply] = await this.socket.receive();
    return JSON.parse(reply!.toString('utf8')) as Record<string, unknown>;
  }

  close(): void {
    this.socket.close();
  }
}

/** A DEALER that sends a raw message, with no REQ envelope, and returns the reply frames. */
export async function dealerAsk(endpoint: string, frames: Array<string | Buffer>): Promise<Buffer[]> {
  const dealer = new Dealer({ receiveTimeout: 10_000, linger: 0 });
  try {
    dealer.connect(endpoint);
    await dealer.send(frames);
    return await dealer.receive();
  } finally {
    dealer.close();
  }
}

/** Debian's python3, which has the zmq module where python3-zmq is installed (the one on PATH may not). */
export const DEBIAN_PYTHON = '/usr/bin/python3';

export function pythonHasZmq(): boolean {
  return spawnSync(DEBIAN_PYTHON, ['-c', 'import zmq']).status === 0;
}
