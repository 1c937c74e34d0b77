import { BrainerError, RateLimitedLog } from '@brainer/protocol';
import { answerJsonRequest } from './json-ops.js';
import { JsonTransport } from './json-transport.js';
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
    this.transport = new JsonTransport(
      (body) =>
        body.length === 1
          ? answerJsonRequest(client, body[0]!, maxGetAll)
          : Promise.resolve(JSON.stringify({ code: 'ERR_MALFORMED', message: `a request is one frame of JSON, got ${body.length}` })),
      {
        maxInFlight: MAX_IN_FLIGHT,
        // JSON may spell a byte as \u0000, six characters: room for the largest key and value so written.
        maxMessageBytes: 6 * (limits.maxKeyBytes + limits.maxValueBytes) + 4096,
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
