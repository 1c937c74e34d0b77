import { randomBytes } from 'node:crypto';
import { Dealer } from 'zeromq';
import { receiveLoop, SocketSender } from '@brainer/transport';
import type { CurveClientOptions } from './curve-options.js';

/** A new client identity: `c-` and 16 random hex digits. */
export function newClientId(): string {
  return `c-${randomBytes(8).toString('hex')}`;
}

/** The client's only contact with ZeroMQ: one DEALER connected to a broker (or a node). */
export class ClientTransport {
  private readonly socket: Dealer;
  private readonly sender: SocketSender;
  /**
   * Resolves when a connection attempt fails before any has succeeded: nothing listens at the
   * endpoint (no socket file, a stale one, or a refused TCP port). ZeroMQ itself keeps retrying.
   */
  readonly refused: Promise<void>;
  /**
   * Resolves when an established connection drops: the peer's process died, or closed the socket.
   * ZeroMQ reconnects by itself; a client with other brokers to try need not wait for that.
   */
  readonly dropped: Promise<void>;

  constructor(
    endpoint: string,
    onFrames: (frames: Buffer[]) => void,
    onSendError: (error: unknown) => void,
    curve: CurveClientOptions | undefined = undefined,
    // A fixed identity survives reconnects, and a client gives every broker it moves to the same
    // one, so a broker recognises a retried write as the same one (it deduplicates by identity and op id).
    routingId: string = newClientId(),
  ) {
    this.socket = new Dealer({ routingId, sendHighWaterMark: 100_000, receiveHighWaterMark: 100_000, linger: 0 });
    if (curve !== undefined) {
      // A CURVE client: set before connect, so that the handshake uses them. A broker that refuses
      // the key answers nothing at all; calls then time out.
      this.socket.curveServerKey = curve.serverKey;
      this.socket.curvePublicKey = curve.publicKey;
      this.socket.curveSecretKey = curve.secretKey;
    }
    let onRefused = (): void => {};
    let onDropped = (): void => {};
    this.refused = new Promise((resolve) => (onRefused = resolve));
    this.dropped = new Promise((resolve) => (onDropped = resolve));
    void this.readEvents(onRefused, onDropped);
    try {
      this.socket.connect(endpoint);
    } catch (error) {
      // A bad endpoint: the event observer started above would otherwise keep the process alive.
      this.socket.close();
      throw error;
    }
    this.sender = new SocketSender(this.socket, onSendError);
    void this.receive(onFrames);
  }

  send(frame: Buffer): void {
    this.sender.send(frame);
  }

  close(): void {
    this.sender.clear();
    this.socket.close();
  }

  /** Calls `refused` on a refused attempt before the first connection, and `dropped` when a connection drops. */
  private async readEvents(refused: () => void, dropped: () => void): Promise<void> {
    let connected = false;
    try {
      // Read to the socket's end: closing the observer early can leave the socket deaf to what it
      // receives next.
      for await (const event of this.socket.events) {
        if (event.type === 'connect') connected = true;
        else if (event.type === 'connect:retry' && !connected) refused();
        else if (event.type === 'disconnect' && connected) dropped();
      }
    } catch {
      // The socket closed.
    }
  }

  private receive(onFrames: (frames: Buffer[]) => void): Promise<void> {
    return receiveLoop(this.socket, onFrames, {
      // onFrames handles its own errors; nothing a reply does may end the loop.
      onHandlerError: () => {},
    });
  }
}
