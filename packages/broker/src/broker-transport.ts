import { chmod } from 'node:fs/promises';
import {
  RateLimitedLog,
  ZAP_DOMAIN,
  ZAP_ENDPOINT,
  eventLoopYielder,
  serveZap,
  ipcSocketPath,
  type Logger,
  type ZapRefusal,
} from '@brainer/protocol';
import { Context, Router } from 'zeromq';

export type FrameHandler = (peer: Buffer, frames: Buffer[]) => void;
export type SendErrorHandler = (peer: Buffer, error: unknown) => void;
export type HandlerErrorHandler = (error: unknown) => void;

/** What the transport takes from the broker's options: access control, and where it logs refusals. */
export interface BrokerTransportOptions {
  /** Z85 secret key: when set, the ROUTER is a CURVE server and only `allowedClientKeys` get in. */
  curveSecretKey: string | undefined;
  allowedClientKeys: ReadonlySet<string>;
  /** Mode of an ipc socket file, set right after bind. */
  ipcSocketMode: number;
  logger: Logger;
  now: () => number;
}

/**
 * The broker's only contact with ZeroMQ: one ROUTER that clients and nodes connect to. Sends never
 * block: a peer that is gone or full makes the send fail, and the failure is reported, not dropped.
 * With a CURVE secret key, the ROUTER is a CURVE server in a context of its own, whose ZAP handler
 * (`serveZap` on a second ROUTER) admits only the allowlisted public keys; refusals and failed handshakes
 * are logged, at most one line per 5 s of each kind.
 */
export class BrokerTransport {
  private readonly router: Router;
  /** The ZAP handler's ROUTER, in the CURVE server's own context, when secured. */
  private readonly zap: Router | undefined;
  private readonly onZapRefused: ((refusal: ZapRefusal) => void) | undefined;
  private readonly allowedKeys: ReadonlySet<string> = new Set();
  private readonly routerOptions = {
    mandatory: true,
    handover: true,
    sendTimeout: 0,
    sendHighWaterMark: 20_000,
    receiveHighWaterMark: 100_000,
    linger: 0,
  };
  private closed = false;

  constructor(
    private readonly onFrames: FrameHandler,
    private readonly onSendError: SendErrorHandler,
    private readonly onHandlerError: HandlerErrorHandler,
    private readonly options: BrokerTransportOptions,
  ) {
    const { curveSecretKey } = options;
    if (curveSecretKey === undefined) {
      this.router = new Router(this.routerOptions);
      return;
    }
    // A context of its own, so that its ZAP handler answers for this socket alone, even when other
    // CURVE servers live in the same process.
    const context = new Context({ blocky: false });
    // zapEnforceDomain: with no ZAP handler present, libzmq refuses the handshake instead of letting everyone in.
    this.router = new Router({
      ...this.routerOptions,
      context,
      curveServer: true,
      curveSecretKey,
      zapDomain: ZAP_DOMAIN,
      zapEnforceDomain: true,
    });
    const log = new RateLimitedLog(options.logger, options.now);
    this.zap = new Router({ context, linger: 0 });
    this.allowedKeys = options.allowedClientKeys;
    this.onZapRefused = (refusal) =>
      log.warn('zap-refused', `refused a connection: ${refusal.reason}`, {
        address: refusal.address,
        mechanism: refusal.mechanism,
        publicKey: refusal.publicKey,
      });
    // A peer without CURVE, or with the wrong server key, fails before ZAP is asked: log that too.
    const onHandshakeError = (event: { address: string; error: Error & { code?: string } }): void =>
      log.warn('curve-handshake', 'a connection failed the CURVE handshake (a peer without CURVE, or with the wrong broker key)', {
        endpoint: event.address,
        code: event.error.code,
        error: event.error.message,
      });
    this.router.events.on('handshake:error:protocol', onHandshakeError);
    this.router.events.on('handshake:error:other', onHandshakeError);
  }

  /** Binds and starts receiving. Resolves with the bound endpoint (the real port for `tcp://...:*`). */
  async bind(endpoint: string): Promise<string> {
    // The handler binds before the CURVE server, so that no handshake finds it missing.
    if (this.zap) {
      await this.zap.bind(ZAP_ENDPOINT);
      void serveZap(this.zap, (key) => this.allowedKeys.has(key), this.onZapRefused!);
    }
    await this.router.bind(endpoint);
    const bound = this.router.lastEndpoint ?? endpoint;
    // Owner-only by default: on ipc, the file mode is the only thing that says who may connect.
    const path = ipcSocketPath(bound);
    if (path !== undefined) await chmod(path, this.options.ipcSocketMode);
    void this.receive();
    return bound;
  }

  send(peer: Buffer, frame: Buffer): void {
    if (this.closed) return;
    this.router.send([peer, frame]).catch((error: unknown) => this.onSendError(peer, error));
  }

  close(): void {
    if (this.closed) return;
    this.closed = true;
    this.router.close();
    this.zap?.close();
  }

  private async receive(): Promise<void> {
    const yieldNow = eventLoopYielder();
    try {
      for await (const [peer, ...frames] of this.router) {
        try {
          this.onFrames(peer!, frames);
        } catch (error) {
          this.onHandlerError(error);
        }
        await yieldNow();
      }
    } catch (error) {
      if (!this.closed) throw error;
    }
  }
}
