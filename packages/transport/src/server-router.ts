import { lstatSync, unlinkSync } from 'node:fs';
import { chmod } from 'node:fs/promises';
import { bindError, prepareIpcBind } from './ipc-safety.js';
import { RateLimitedLog, ZAP_DOMAIN, ZAP_ENDPOINT, ipcSocketPath, serveZap, type Logger } from '@brainer/protocol';
import { Context, Router, type SocketOptions } from 'zeromq';

/** What makes a ROUTER a CURVE server with an allowlist. */
export interface CurveServerOptions {
  /** The server's Z85 secret key. */
  secretKey: string;
  /** The Z85 public keys that may connect. */
  allowedKeys: ReadonlySet<string>;
  logger: Logger;
  now: () => number;
  /** How log lines name this endpoint, such as `the node endpoint`; none for the broker's. */
  endpointName?: string;
  /** The key a peer must hold as server key, for the log of failed handshakes, such as `broker key`. */
  serverKeyName: string;
}

/**
 * A bound ROUTER, as every Brainer server has one. On ipc, the socket file gets `ipcSocketMode`
 * right after bind: the file mode is then the only thing that says who may connect. With `curve`,
 * the ROUTER is a CURVE server in a context of its own, so that its ZAP handler (`serveZap` on a
 * second ROUTER) answers for this socket alone; `zapEnforceDomain` makes libzmq refuse handshakes,
 * rather than admit everyone, were the handler missing.
 */
export class ServerRouter {
  readonly socket: Router;
  private readonly zap: { socket: Router; allowed: ReadonlySet<string>; log: RateLimitedLog; to: string } | undefined;
  /** The ipc socket file this router bound, to remove on close (ZeroMQ leaves it behind). */
  private socketFile: { path: string; identity: string } | undefined;

  constructor(options: SocketOptions<Router>, curve: CurveServerOptions | undefined = undefined) {
    if (curve === undefined) {
      this.socket = new Router(options);
      this.zap = undefined;
      return;
    }
    const context = new Context({ blocky: false });
    this.socket = new Router({
      ...options,
      context,
      curveServer: true,
      curveSecretKey: curve.secretKey,
      zapDomain: ZAP_DOMAIN,
      zapEnforceDomain: true,
    });
    const log = new RateLimitedLog(curve.logger, curve.now);
    const to = curve.endpointName === undefined ? '' : ` to ${curve.endpointName}`;
    this.zap = { socket: new Router({ context, linger: 0 }), allowed: curve.allowedKeys, log, to };
    // A peer without CURVE, or with the wrong server key, fails before ZAP is asked: log that too.
    const onHandshakeError = (event: { address: string; error: Error & { code?: string } }): void =>
      log.warn(
        'curve-handshake',
        `a connection${to} failed the CURVE handshake (a peer without CURVE, or with the wrong ${curve.serverKeyName})`,
        { endpoint: event.address, code: event.error.code, error: event.error.message },
      );
    this.socket.events.on('handshake:error:protocol', onHandshakeError);
    this.socket.events.on('handshake:error:other', onHandshakeError);
  }

  /** Binds (the ZAP handler first, so that no handshake finds it missing). Resolves with the bound endpoint. */
  async bind(endpoint: string, ipcSocketMode: number): Promise<string> {
    const zap = this.zap;
    if (zap !== undefined) {
      await zap.socket.bind(ZAP_ENDPOINT);
      void serveZap(
        zap.socket,
        (key) => zap.allowed.has(key),
        (refusal) =>
          zap.log.warn('zap-refused', `refused a connection${zap.to}: ${refusal.reason}`, {
            address: refusal.address,
            mechanism: refusal.mechanism,
            publicKey: refusal.publicKey,
          }),
      );
    }
    await prepareIpcBind(endpoint);
    await this.socket.bind(endpoint).catch((error: unknown) => {
      throw bindError(endpoint, error);
    });
    const bound = this.socket.lastEndpoint ?? endpoint;
    const path = ipcSocketPath(bound);
    if (path !== undefined) {
      await chmod(path, ipcSocketMode);
      const identity = socketIdentity(path);
      if (identity !== undefined) this.socketFile = { path, identity };
    }
    return bound;
  }

  /** Replaces the public keys that may connect (a reloaded allowlist); connections already in stay. */
  setAllowedKeys(keys: ReadonlySet<string>): void {
    if (this.zap !== undefined) this.zap.allowed = keys;
  }

  /** Closes the sockets and removes the ipc socket file bound, unless another process has bound its own there since. */
  close(): void {
    this.socket.close();
    this.zap?.socket.close();
    const file = this.socketFile;
    this.socketFile = undefined;
    if (file !== undefined && socketIdentity(file.path) === file.identity) {
      try {
        unlinkSync(file.path);
      } catch {
        // Gone already: nothing to clean.
      }
    }
  }
}

/** Which socket file is at `path`. Inode numbers get reused; with the change time in ns a new file cannot pass for the old one. */
function socketIdentity(path: string): string | undefined {
  const stats = lstatSync(path, { bigint: true, throwIfNoEntry: false });
  return stats?.isSocket() === true ? `${stats.dev}:${stats.ino}:${stats.ctimeNs}` : undefined;
}
