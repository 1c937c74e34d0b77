import { z85Encode } from './z85.js';

/** Where libzmq sends ZAP requests: a handler binds a ROUTER here, in the server socket's own context. */
export const ZAP_ENDPOINT = 'inproc://zeromq.zap.01';

/** The ZAP domain Brainer's CURVE servers set. */
export const ZAP_DOMAIN = 'brainer';

const ZAP_VERSION = '1.0';

/** One ZAP request that was refused, for the log. The public key is Z85 when the request carried one. */
export interface ZapRefusal {
  reason: string;
  /** The peer's address as libzmq gives it: an IP for tcp, often empty for ipc. */
  address: string;
  mechanism: string;
  publicKey?: string;
}

export interface ZapAnswer {
  /** The frames to send back on the handler's ROUTER, or undefined when the request is too broken to answer. */
  reply: Buffer[] | undefined;
  /** Set when the connection is refused. */
  refusal: ZapRefusal | undefined;
  /** The Z85 public key of an accepted CURVE client. */
  accepted: string | undefined;
}

/**
 * Answers one ZAP request (ZeroMQ RFC 27) as a handler's ROUTER receives it: the routing envelope,
 * an empty delimiter, then version, request id, domain, address, identity, mechanism and the
 * credentials. Only CURVE with a public key that `isAllowed` accepts gets status 200; anything
 * else (another mechanism, a key not allowed, an unknown version) gets 400. Pure: no sockets.
 */
export function answerZapRequest(frames: readonly Buffer[], isAllowed: (publicKey: string) => boolean): ZapAnswer {
  const delimiter = frames.findIndex((frame) => frame.length === 0);
  if (delimiter < 1 || frames.length - delimiter - 1 < 6) {
    return { reply: undefined, refusal: { reason: 'malformed ZAP request', address: '', mechanism: '' }, accepted: undefined };
  }
  const envelope = frames.slice(0, delimiter + 1);
  const [version, requestId, , address, , mechanism, ...credentials] = frames.slice(delimiter + 1) as [Buffer, Buffer, ...Buffer[]];
  const reply = (status: '200' | '400', text: string, userId = ''): Buffer[] => [
    ...envelope,
    Buffer.from(ZAP_VERSION),
    requestId,
    Buffer.from(status),
    Buffer.from(text),
    Buffer.from(userId),
    Buffer.alloc(0),
  ];
  const peer = { address: address?.toString('utf8') ?? '', mechanism: mechanism?.toString('utf8') ?? '' };
  const refuse = (reason: string, publicKey?: string): ZapAnswer => ({
    reply: reply('400', reason),
    refusal: { reason, ...peer, ...(publicKey === undefined ? {} : { publicKey }) },
    accepted: undefined,
  });

  if (version.toString('utf8') !== ZAP_VERSION) return refuse(`unsupported ZAP version ${JSON.stringify(version.toString('utf8'))}`);
  if (peer.mechanism !== 'CURVE') return refuse(`mechanism ${peer.mechanism} is not accepted; CURVE is required`);
  if (credentials.length !== 1 || credentials[0]!.length !== 32) return refuse('a CURVE request must carry one 32-byte public key');
  const publicKey = z85Encode(credentials[0]!);
  if (!isAllowed(publicKey)) return refuse('public key not on the allowlist', publicKey);
  return { reply: reply('200', 'OK', publicKey), refusal: undefined, accepted: publicKey };
}

/** What `serveZap` needs of the handler's socket: a ZeroMQ ROUTER fits, without this file importing ZeroMQ. */
export interface ZapSocket extends AsyncIterable<Buffer[]> {
  send(frames: Buffer[]): Promise<void>;
  readonly closed: boolean;
}

/**
 * Runs a ZAP handler on a socket already bound at `ZAP_ENDPOINT`: answers every request with
 * `answerZapRequest` and reports each refusal. Ends when the socket closes.
 */
export async function serveZap(
  socket: ZapSocket,
  isAllowed: (publicKey: string) => boolean,
  onRefused: (refusal: ZapRefusal) => void,
): Promise<void> {
  try {
    for await (const frames of socket) {
      const { reply, refusal } = answerZapRequest(frames, isAllowed);
      if (refusal !== undefined) {
        try {
          onRefused(refusal);
        } catch {
          // Reporting is best effort; the handler must keep answering.
        }
      }
      // A peer that went away while it waited leaves a reply with nowhere to go: nothing to do.
      if (reply !== undefined) await socket.send(reply).catch(() => undefined);
    }
  } catch (error) {
    if (!socket.closed) throw error;
  }
}
