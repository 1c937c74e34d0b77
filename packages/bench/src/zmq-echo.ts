import { spawn } from 'node:child_process';
import { fileURLToPath } from 'node:url';
import { Dealer } from 'zeromq';
import { killAndWait } from './redis-cluster.js';

export interface ZmqEcho {
  /** One round trip through the echo server. */
  roundTrip(payload: Buffer): Promise<void>;
  /** Closes the DEALER and kills the echo process by PID. */
  stop(): Promise<void>;
}

/** Starts the ROUTER echo in a child process and connects one DEALER to it. */
export async function startZmqEcho(): Promise<ZmqEcho> {
  const script = fileURLToPath(new URL('./zmq-echo-server.js', import.meta.url));
  const child = spawn(process.execPath, [script], { stdio: ['ignore', 'pipe', 'inherit', 'ipc'] });
  try {
    const endpoint = await new Promise<string>((resolve, reject) => {
      let out = '';
      child.stdout?.on('data', (chunk: Buffer) => {
        out += chunk.toString();
        const line = out.split('\n')[0];
        if (out.includes('\n') && line !== undefined) resolve(line.trim());
      });
      child.once('exit', (code) => reject(new Error(`zmq echo server exited (${code})`)));
      child.once('error', reject);
    });
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
