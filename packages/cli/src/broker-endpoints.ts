import { createServer } from 'node:net';
import { UsageError } from './errors.js';
import { ipcPath } from './ipc-socket.js';

/** Where one broker of `cluster --brokers N` binds, and how the others reach it (its `--peers` entry). */
export interface BrokerEndpoint {
  bind: string;
  connect: string;
}

const TCP = /^tcp:\/\/([^\s:/[\]]+|\[[0-9a-fA-F:.]+\]):(\d{1,5}|\*)$/;

/**
 * The endpoints of `count` brokers, from the first one's: every broker's endpoint must be known
 * before any starts, since each is given the others (`run-broker --peers`) and a restarted broker
 * binds where it did before.
 * - `ipc:///dir/broker.sock`: the first binds there, the others beside it (`broker-2.sock`, ...).
 * - `tcp://host:5555`: the next ports (5556, ...).
 * - `tcp://host:*`: free ports on host, picked now (one that something else takes before the
 *   broker binds it makes that broker fail with EADDRINUSE).
 *
 * A `*` host (every interface) is reached at 0.0.0.0, the endpoint the broker itself reports.
 */
export async function brokerEndpoints(
  endpoint: string,
  count: number,
  freePort: (host: string) => Promise<number> = freeTcpPort,
): Promise<BrokerEndpoint[]> {
  const path = ipcPath(endpoint);
  if (path !== undefined) {
    const base = path.replace(/\.sock$/, '');
    return Array.from({ length: count }, (_, i) => {
      const bind = i === 0 ? endpoint : `ipc://${base}-${i + 1}.sock`;
      return { bind, connect: bind };
    });
  }
  const tcp = TCP.exec(endpoint);
  if (tcp === null) {
    throw new UsageError(
      `--brokers ${count} needs a tcp:// or ipc:///path --endpoint, so that every broker's address is known before any starts; got ${endpoint}`,
    );
  }
  const [, host, port] = tcp as unknown as [string, string, string];
  const connectHost = host === '*' ? '0.0.0.0' : host;
  const ports: number[] = [];
  const bindHost = host === '*' ? '0.0.0.0' : host.replace(/^\[|\]$/g, '');
  while (ports.length < count) {
    const next = port === '*' ? await freePort(bindHost) : Number(port) + ports.length;
    // A port just closed may be handed out again: each broker gets its own.
    if (!ports.includes(next)) ports.push(next);
  }
  const last = ports.at(-1)!;
  if (last > 65_535)
    throw new UsageError(`--endpoint ${endpoint} leaves no room for ${count} brokers on the ports after it (up to ${last})`);
  return ports.map((p) => ({ bind: `tcp://${host}:${p}`, connect: `tcp://${connectHost}:${p}` }));
}

/** A TCP port that is free on `host` now: one just bound and closed again. */
export function freeTcpPort(host = '127.0.0.1'): Promise<number> {
  return new Promise((resolve, reject) => {
    const server = createServer();
    server.once('error', reject);
    server.listen(0, host, () => {
      const { port } = server.address() as { port: number };
      server.close(() => resolve(port));
    });
  });
}
