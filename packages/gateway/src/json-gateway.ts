import { BrainerError, RateLimitedLog, socketMaxMessageSize } from '@brainer/protocol';
import { answerJsonRequest } from './json-ops.js';
import { JsonTransport } from './json-transport.js';
import { KeyLister } from './key-listing.js';
import { resolveJsonGatewayOptions, type JsonGatewayOptions } from './options.js';

/** Requests answered at once; more wait in ZeroMQ's queue. */
const MAX_IN_FLIGHT = 1024;

/**
 * JSON ops over ZeroMQ (PUT, GET_ONE, GET_ALL, DELETE) for plain REQ clients, served over a Brainer
 * client. Every request gets one JSON reply, an error `{code, message}` included, so a REQ socket is
 * never left waiting.
 */
export class JsonGateway {
  private readonly options: JsonGatewayOptions;
  private readonly transport: JsonTransport;
  private bound: Promise<string> | undefined;
  private boundEndpoint: string | undefined;

  constructor(options: Partial<JsonGatewayOptions> & Pick<JsonGatewayOptions, 'client' | 'endpoint'>) {
    this.options = resolveJsonGatewayOptions(options);
    const { client, limits, logger, maxGetAll } = this.options;
    const log = new RateLimitedLog(logger, this.options.now);
    const { maxFrameBytes } = limits;
    const lister = new KeyLister(client);
    this.transport = new JsonTransport(
      (body) => {
        const bytes = body.reduce((sum, frame) => sum + frame.length, 0);
        // Refused by its size alone, before a byte of it is parsed.
        if (bytes > maxFrameBytes) {
          const message = `a request of ${bytes} bytes is over the ${maxFrameBytes}-byte limit`;
          return Promise.resolve(JSON.stringify({ code: 'ERR_FRAME_TOO_LARGE', message }));
        }
        return body.length === 1
          ? answerJsonRequest(client, lister, body[0]!, maxGetAll)
          : Promise.resolve(JSON.stringify({ code: 'ERR_MALFORMED', message: `a request is one frame of JSON, got ${body.length}` }));
      },
      {
        maxInFlight: MAX_IN_FLIGHT,
        maxInFlightBytes: this.options.maxInFlightBytes,
        // Room above the cap, so that a frame past it still arrives and gets its one reply.
        maxMessageBytes: socketMaxMessageSize(maxFrameBytes),
        ipcSocketMode: this.options.ipcSocketMode,
        onSendError: (error) => log.warn('json-send', 'could not send a JSON reply', { error: String(error) }),
      },
    );
  }

  /** Binds the endpoint and starts serving. Idempotent. */
  async start(): Promise<void> {
    this.bound ??= this.transport.bind(this.options.endpoint).then((endpoint) => {
      this.boundEndpoint = endpoint;
      this.options.logger.info('JSON endpoint bound', { endpoint });
      return endpoint;
    });
    await this.bound;
  }

  /** The bound endpoint, with a `tcp://...:*` port resolved. */
  get endpoint(): string {
    if (this.boundEndpoint === undefined) throw new BrainerError('ERR_NOT_CONNECTED', 'the JSON endpoint is not bound');
    return this.boundEndpoint;
  }

  /** Stops serving; replies still being worked out are dropped. Idempotent. */
  async close(): Promise<void> {
    this.transport.close();
    await this.bound?.catch(() => undefined);
  }
}
