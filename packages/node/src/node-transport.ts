import { Dealer, type Router } from 'zeromq';
import { socketMaxMessageSize, type Limits, type Logger } from '@brainer/protocol';
import { receiveLoop, ServerRouter, SocketSender } from '@brainer/transport';

export interface NodeTransportHandlers {
  fromBroker(frames: Buffer[]): void;
  fromPeer(peer: Buffer, frames: Buffer[]): void;
  fromSource(frames: Buffer[]): void;
  sendFailed(to: string, error: unknown): void;
  handlerFailed(error: unknown): void;
}

/** What the transport takes from the node's options: CURVE keys, the ipc file mode, and where it logs refusals. */
export interface NodeTransportOptions {
  /** The broker's public key; with the node's pair below, CURVE is on. */
  curveServerKey: string | undefined;
  /** The node key pair, shared by every node of a secured cluster. */
  curvePublicKey: string | undefined;
  curveSecretKey: string | undefined;
  /** Keys besides the node key that may connect to the node's endpoint. */
  allowedClientKeys: ReadonlySet<string>;
  ipcSocketMode: number;
  /** `maxFrameBytes` sets the ROUTER's `maxMessageSize`, with room above it for a coded refusal. */
  limits: Limits;
  logger: Logger;
  now: () => number;
}

interface CurveKeys {
  brokerKey: string;
  publicKey: string;
  secretKey: string;
}

const DEALER_OPTIONS = { sendHighWaterMark: 100_000, receiveHighWaterMark: 100_000, linger: 500 } as const;

/**
 * The node's only contact with ZeroMQ: a DEALER to the broker, a ROUTER bound at the node's own
 * endpoint (snapshot requests from joiners, direct reads), and while joining a DEALER to the
 * snapshot source.
 *
 * With CURVE on, the DEALERs are CURVE clients with the node key pair: towards the broker with the
 * broker's public key, towards a snapshot source with the node public key (every node serves its
 * endpoint with the same node key pair). The ROUTER is a CURVE server in a context of its own,
 * whose ZAP handler admits the node key and `allowedClientKeys` only.
 */
export class NodeTransport {
  private readonly bound: ServerRouter;
  private readonly server: Router;
  private readonly curve: CurveKeys | undefined;
  private broker: { socket: Dealer; sender: SocketSender; endpoint: string } | undefined;
  private source: { socket: Dealer; sender: SocketSender } | undefined;
  private closed = false;

  constructor(
    private readonly options: NodeTransportOptions,
    private readonly handlers: NodeTransportHandlers,
  ) {
    const { curveServerKey: brokerKey, curvePublicKey: publicKey, curveSecretKey: secretKey, logger, now } = options;
    const secured = brokerKey !== undefined && publicKey !== undefined && secretKey !== undefined;
    if (secured) this.curve = { brokerKey, publicKey, secretKey };
    this.bound = new ServerRouter(
      {
        mandatory: true,
        sendTimeout: 0,
        sendHighWaterMark: 10_000,
        linger: 0,
        maxMessageSize: socketMaxMessageSize(options.limits.maxFrameBytes),
      },
      secured
        ? {
            secretKey,
            allowedKeys: new Set([publicKey, ...options.allowedClientKeys]),
            logger,
            now,
            endpointName: 'the node endpoint',
            serverKeyName: 'node key',
          }
        : undefined,
    );
    this.server = this.bound.socket;
  }

  async bind(endpoint: string): Promise<string> {
    const bound = await this.bound.bind(endpoint, this.options.ipcSocketMode);
    void this.receive(this.server, (frames) => this.handlers.fromPeer(frames[0]!, frames.slice(1)));
    return bound;
  }

  /** Replaces the keys, besides the node key, that may connect to the node's endpoint (a reloaded allowlist). */
  setAllowedClientKeys(keys: ReadonlySet<string>): void {
    if (this.curve !== undefined) this.bound.setAllowedKeys(new Set([this.curve.publicKey, ...keys]));
  }

  /** Frames up to about this size reach the node's endpoint on connections made from now on (a cap `decode` enforces). */
  setMaxFrameBytes(maxFrameBytes: number): void {
    this.server.maxMessageSize = socketMaxMessageSize(maxFrameBytes);
  }

  /** (Re)connects to a broker on a fresh socket, dropping anything queued on the old one. */
  connectBroker(endpoint: string): void {
    this.broker?.socket.close();
    const connection = this.connect(endpoint, 'broker', this.curve?.brokerKey, (frames) => this.handlers.fromBroker(frames));
    this.broker = { ...connection, endpoint };
  }

  /** The broker the node is connected to now. */
  get brokerEndpoint(): string | undefined {
    return this.broker?.endpoint;
  }

  toBroker(frame: Buffer): void {
    this.broker?.sender.send(frame);
  }

  toPeer(peer: Buffer, frame: Buffer): void {
    if (this.closed) return;
    this.server.send([peer, frame]).catch((error: unknown) => this.handlers.sendFailed('peer', error));
  }

  connectSource(endpoint: string): void {
    this.closeSource();
    this.source = this.connect(endpoint, 'source', this.curve?.publicKey, (frames) => this.handlers.fromSource(frames));
  }

  toSource(frame: Buffer): void {
    this.source?.sender.send(frame);
  }

  closeSource(): void {
    if (!this.source) return;
    this.source.sender.clear();
    this.source.socket.close();
    this.source = undefined;
  }

  close(): void {
    if (this.closed) return;
    this.closed = true;
    this.closeSource();
    this.broker?.socket.close();
    this.bound.close();
  }

  private connect(endpoint: string, name: string, serverKey: string | undefined, onFrames: (frames: Buffer[]) => void) {
    const curve =
      this.curve && serverKey
        ? { curveServerKey: serverKey, curvePublicKey: this.curve.publicKey, curveSecretKey: this.curve.secretKey }
        : {};
    const socket = new Dealer({ ...DEALER_OPTIONS, ...curve });
    socket.connect(endpoint);
    const sender = new SocketSender(socket, (error) => this.handlers.sendFailed(name, error));
    void this.receive(socket, onFrames);
    return { socket, sender };
  }

  private receive(socket: Dealer | Router, onFrames: (frames: Buffer[]) => void): Promise<void> {
    return receiveLoop(socket, onFrames, { onHandlerError: (error) => this.handlers.handlerFailed(error) });
  }
}
