import { ZAP_ENDPOINT, answerZapRequest, type ZapRefusal } from '@brainer/protocol';
import { Router, type Context } from 'zeromq';

/**
 * The ZAP handler (ZeroMQ RFC 27) of the node's own endpoint: a ROUTER bound at
 * `inproc://zeromq.zap.01` in the CURVE server's own context, which libzmq asks about every CURVE
 * handshake. It lets through only the public keys on the allowlist, and reports every refusal.
 * Besides node-transport.ts, the only file of the node that touches ZeroMQ. (The broker has the
 * same small handler: the packages do not import each other, and the RFC 27 logic they share is
 * `answerZapRequest` in @brainer/protocol.)
 */
export class ZapAuthenticator {
  private readonly socket: Router;

  constructor(
    context: Context,
    private readonly allowed: ReadonlySet<string>,
    private readonly onRefused: (refusal: ZapRefusal) => void,
  ) {
    this.socket = new Router({ context, linger: 0 });
  }

  /** Binds the handler. Call it before the CURVE server binds, so that no handshake finds it missing. */
  async start(): Promise<void> {
    await this.socket.bind(ZAP_ENDPOINT);
    void this.serve();
  }

  close(): void {
    this.socket.close();
  }

  private report(refusal: ZapRefusal): void {
    try {
      this.onRefused(refusal);
    } catch {
      // Reporting is best effort; the handler must keep answering.
    }
  }

  private async serve(): Promise<void> {
    try {
      for await (const frames of this.socket) {
        const { reply, refusal } = answerZapRequest(frames, (key) => this.allowed.has(key));
        if (refusal !== undefined) this.report(refusal);
        // A peer that went away while it waited leaves a reply with nowhere to go: nothing to do.
        if (reply !== undefined) await this.socket.send(reply).catch(() => undefined);
      }
    } catch (error) {
      if (!this.socket.closed) throw error;
    }
  }
}
