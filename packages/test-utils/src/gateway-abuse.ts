import { connect, type Socket } from 'node:net';
import { Dealer } from 'zeromq';

/** What the gateways answered the abuse with: HTTP statuses, JSON codes, or `closed` for a connection the server closed unanswered. */
export type AbuseTally = Map<string, number>;

function tallyOne(tally: AbuseTally, what: string): void {
  tally.set(what, (tally.get(what) ?? 0) + 1);
}

/** Host and port of an HTTP base URL such as `http://127.0.0.1:8080`. */
function hostPort(base: string): { host: string; port: number } {
  const url = new URL(base);
  return { host: url.hostname, port: Number(url.port) };
}

/**
 * Sends `head` (and then `drip` one byte at a time, `dripMs` apart, for as long as the socket is
 * open) and resolves with the status the server answered, or `closed` if it closed the connection
 * unanswered. `waitMs` bounds the wait (`timeout`).
 */
export function rawHttp(base: string, head: string | Buffer, options: { dripMs?: number; waitMs?: number } = {}): Promise<string> {
  return new Promise((resolve) => {
    const socket: Socket = connect(hostPort(base));
    let answer = '';
    let drip: NodeJS.Timeout | undefined;
    const settle = (what: string): void => {
      clearInterval(drip);
      clearTimeout(timer);
      socket.destroy();
      resolve(what);
    };
    const timer = setTimeout(() => settle('timeout'), options.waitMs ?? 60_000);
    socket.on('connect', () => {
      socket.write(head);
      if (options.dripMs !== undefined) drip = setInterval(() => socket.writable && socket.write('x'), options.dripMs);
    });
    socket.on('data', (data) => {
      answer += data.toString('latin1');
      const status = /^HTTP\/1\.1 (\d{3})/.exec(answer);
      if (status !== null) settle(status[1]!);
    });
    socket.on('error', () => undefined);
    socket.on('close', () => settle(answer === '' ? 'closed' : 'garbled'));
  });
}

/**
 * Opens `count` keep-alive connections that never send a byte, as a crowd of idle clients would.
 * `closedByServer` counts those the server has closed; `close` closes the rest.
 */
export function openIdleConnections(base: string, count: number): { closedByServer(): number; close(): void } {
  const sockets: Socket[] = [];
  let closed = 0;
  let closing = false;
  for (let i = 0; i < count; i++) {
    const socket = connect(hostPort(base));
    socket.setKeepAlive(true);
    socket.on('error', () => undefined);
    socket.on('close', () => {
      if (!closing) closed++;
    });
    sockets.push(socket);
  }
  return {
    closedByServer: () => closed,
    close: () => {
      closing = true;
      for (const socket of sockets) socket.destroy();
    },
  };
}

/** A form PUT that announces `bytes` of body and sends the first 64 KiB of it: the answer must come without the rest. */
export function oversizedForm(base: string, key: string, bytes: number): Promise<string> {
  const head = `PUT /db/${encodeURIComponent(key)} HTTP/1.1\r\nHost: x\r\nContent-Type: application/x-www-form-urlencoded\r\nContent-Length: ${bytes}\r\n\r\nvalue=`;
  return rawHttp(base, Buffer.concat([Buffer.from(head), Buffer.alloc(64 * 1024, 0x61)]), { waitMs: 30_000 });
}

/** A PUT whose body arrives one byte every `dripMs`: it must be cut off by the request timeout. */
export function slowBody(base: string, key: string, dripMs: number, waitMs: number): Promise<string> {
  const head = `PUT /db/${encodeURIComponent(key)} HTTP/1.1\r\nHost: x\r\nContent-Type: application/octet-stream\r\nContent-Length: 1000000\r\n\r\n`;
  return rawHttp(base, head, { dripMs, waitMs });
}

/**
 * Sends `count` JSON-ops frames of `bytes` bytes each on one DEALER (with the REQ envelope), one
 * after another, and tallies the codes of the replies; `unanswered` for each that got none within
 * `waitMs`.
 */
export async function hugeJsonFrames(endpoint: string, count: number, bytes: number, waitMs = 30_000): Promise<AbuseTally> {
  const tally: AbuseTally = new Map();
  const dealer = new Dealer({ linger: 0, receiveTimeout: waitMs });
  dealer.connect(endpoint);
  const frame = Buffer.alloc(bytes, 0x20);
  Buffer.from('{"op":"PUT","key":"huge","value":"').copy(frame);
  try {
    for (let i = 0; i < count; i++) {
      await dealer.send([Buffer.alloc(0), frame]);
      try {
        const [, reply] = await dealer.receive();
        tallyOne(tally, (JSON.parse(reply!.toString()) as { code?: string }).code ?? 'ok');
      } catch {
        tallyOne(tally, 'unanswered');
      }
    }
  } finally {
    dealer.close();
  }
  return tally;
}

/** `count` listings at once, each `GET /db?limit=1`, `rounds` times over; tallies the statuses. */
export async function heavyListings(base: string, count: number, rounds: number): Promise<AbuseTally> {
  const tally: AbuseTally = new Map();
  await Promise.all(
    Array.from({ length: count }, async () => {
      for (let i = 0; i < rounds; i++) {
        const status = await fetch(`${base}/db?limit=1`).then(
          async (response) => {
            await response.arrayBuffer();
            return String(response.status);
          },
          () => 'failed',
        );
        tallyOne(tally, status);
      }
    }),
  );
  return tally;
}

/** Adds `from` into `into`. */
export function addTally(into: AbuseTally, from: AbuseTally | Iterable<string>): void {
  if (from instanceof Map) for (const [what, n] of from) into.set(what, (into.get(what) ?? 0) + n);
  else for (const what of from) tallyOne(into, what);
}
