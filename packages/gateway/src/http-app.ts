import { BrainerError, type Logger } from '@brainer/protocol';
import Fastify, { type FastifyInstance, type FastifyReply, type FastifyRequest } from 'fastify';
import type { Socket } from 'node:net';
import { errorBody, notFound, type ErrorBody } from './error-body.js';
import { FORM_OVERHEAD_BYTES, formValue } from './form-value.js';
import { GatewayMetrics } from './gateway-metrics.js';
import { instrumentHttp } from './http-metrics.js';
import { httpStatusFor } from './http-status.js';
import { InFlightBytes } from './in-flight-bytes.js';
import { KeyLister } from './key-listing.js';
import { DEFAULT_LIST_LIMIT, MAX_LIST_LIMIT, type HttpGatewayOptions } from './options.js';
import { parseLimit, parseTtl, parseWait } from './request-fields.js';
import { STATUS_PAGE_FILES } from './static-files.js';
import { StatusFeed } from './status-feed.js';
import { addStatusRoutes } from './status-routes.js';

type Query = Record<string, unknown>;
/** `/db/*` rather than `/db/:key`: a key may hold `/`, encoded as %2F or not. */
type KeyRoute = { Params: { '*': string }; Querystring: Query };

/** Fastify's codes for a body over the limit and a URL that does not decode. */
const FASTIFY_CODES: Record<string, string> = { FST_ERR_CTP_BODY_TOO_LARGE: 'ERR_VALUE_TOO_LARGE', FST_ERR_BAD_URL: 'ERR_BAD_KEY' };

/** The bytes each request holds of the in-flight budget, released once with its response. */
const HELD = Symbol('held bytes');
type HoldingRequest = FastifyRequest & { [HELD]?: number };

/**
 * The REST routes over a Brainer client, the status page, and `/metrics` when given a registry.
 * Every failure is answered as JSON `{code, message}` with the status that fits the code (see
 * http-status.ts).
 */
export function buildHttpApp(options: HttpGatewayOptions): FastifyInstance {
  const { client, limits, logger } = options;
  const formLimit = limits.maxValueBytes + FORM_OVERHEAD_BYTES;
  const inFlight = new InFlightBytes(options.maxInFlightBytes);
  const metrics = options.metrics && new GatewayMetrics(options.metrics, { inFlightBytes: () => inFlight.bytes });
  const sendError = (reply: FastifyReply, status: number, body: ErrorBody): FastifyReply => {
    metrics?.refused(body.code);
    if (status === 503) reply.header('retry-after', '1');
    return reply.code(status).type('application/json; charset=utf-8').send(body);
  };
  const answerError = (error: Error & { code?: string; statusCode?: number }, request: FastifyRequest, reply: FastifyReply) =>
    answerErrorWith(sendError, error, request, reply, logger);
  const app = Fastify({
    logger: false,
    bodyLimit: limits.maxValueBytes,
    connectionTimeout: options.requestTimeoutMs,
    requestTimeout: options.requestTimeoutMs,
    keepAliveTimeout: options.keepAliveTimeoutMs,
    http: {
      // A URL carries the key percent-encoded, up to 3 bytes a byte: let the broker's key limit be the one that applies.
      maxHeaderSize: 3 * limits.maxKeyBytes + 16 * 1024,
      headersTimeout: options.headersTimeoutMs,
      // How often Node looks for requests past their timeouts (30 s by default).
      connectionsCheckingInterval: Math.max(100, Math.min(1000, Math.floor(options.headersTimeoutMs / 4))),
    },
    clientErrorHandler: (error, socket) => {
      const code = answerClientError(error, socket);
      if (code !== undefined) metrics?.refused(code);
    },
    frameworkErrors: (error, request, reply) => answerError(error, request, reply),
  });
  app.server.maxConnections = options.maxConnections;
  // Node times out headers only once their first byte has come: close a connection that sends nothing.
  app.server.on('connection', (socket: Socket) => {
    const timer = setTimeout(() => socket.bytesRead === 0 && socket.destroy(), options.headersTimeoutMs).unref();
    socket.once('close', () => clearTimeout(timer));
  });
  if (metrics) instrumentHttp(app, metrics, options.metrics!);

  const lister = new KeyLister(client);
  app.addHook('onRequest', async (request: HoldingRequest, reply) => {
    const bytes = bodyBytes(request, Math.max(limits.maxValueBytes, formLimit));
    if (bytes === 0) return;
    if (!inFlight.tryHold(bytes)) {
      return sendError(reply, 503, {
        code: 'ERR_BACKPRESSURE',
        message: `the gateway holds ${inFlight.bytes} bytes of requests, near its ${inFlight.max}-byte cap: retry shortly`,
      });
    }
    request[HELD] = bytes;
  });
  const release = async (request: HoldingRequest): Promise<void> => {
    const bytes = request[HELD];
    request[HELD] = undefined;
    if (bytes !== undefined) inFlight.release(bytes);
  };
  app.addHook('onResponse', release);
  app.addHook('onRequestAbort', release);

  // Values are bytes: store the body as it came, whatever its type, except for a form.
  app.removeAllContentTypeParsers();
  app.addContentTypeParser('*', { parseAs: 'buffer' }, (_request, body, done) => done(null, body));
  app.addContentTypeParser(
    'application/x-www-form-urlencoded',
    // Refused by size before it is read: a value that percent-encodes past this is sent raw instead.
    { parseAs: 'buffer', bodyLimit: formLimit },
    (_request, body, done) => {
      try {
        done(null, formValue(body as Buffer));
      } catch (error) {
        done(error as Error);
      }
    },
  );

  app.put<KeyRoute>('/db/*', async (request, reply) => {
    const key = request.params['*'];
    const value = Buffer.isBuffer(request.body) ? request.body : Buffer.alloc(0);
    const ttlMs = parseTtl(request.query.ttl);
    const wait = parseWait(request.query.wait);
    await client.set(key, value, { ...(ttlMs === undefined ? {} : { ttlMs }), ...(wait === undefined ? {} : { wait }) });
    // The protocol's set does not say whether the key existed, so this cannot tell 201 from 200.
    return reply.code(200).send({ key, status: 'stored' });
  });

  app.get<KeyRoute>('/db/*', async (request, reply) => {
    const key = request.params['*'];
    const value = await client.getBuffer(key);
    if (value === null) throw notFound(key);
    return reply.type('application/octet-stream').send(value);
  });

  app.delete<KeyRoute>('/db/*', async (request, reply) => {
    const key = request.params['*'];
    const wait = parseWait(request.query.wait);
    if (!(await client.del(key, wait === undefined ? {} : { wait }))) throw notFound(key);
    return reply.send({ key, status: 'deleted' });
  });

  app.get<{ Querystring: Query }>('/db', async (request, reply) => {
    const prefix = request.query.prefix ?? '';
    const cursor = request.query.cursor ?? '';
    if (typeof prefix !== 'string' || typeof cursor !== 'string')
      throw new BrainerError('ERR_BAD_REQUEST', 'give prefix and cursor once each');
    const limit = parseLimit(request.query.limit, MAX_LIST_LIMIT) ?? DEFAULT_LIST_LIMIT;
    const page = await lister.list(prefix, limit, cursor);
    if (page.cursor !== undefined) reply.header('x-next-cursor', page.cursor);
    return reply.send(page.keys);
  });

  app.get('/status', async (_request, reply) => reply.send({ nodes: await client.nodes() }));
  addStatusRoutes(app, new StatusFeed({ client, intervalMs: options.statusIntervalMs, logger, now: () => Date.now() }));

  app.setNotFoundHandler((request, reply) => {
    const path = request.url.split('?')[0]!;
    const allowed = allowedMethods(path, metrics !== undefined);
    if (allowed === undefined) return sendError(reply, 404, { code: 'ERR_NOT_FOUND', message: `no route for ${request.method} ${path}` });
    reply.header('allow', allowed);
    return sendError(reply, 405, { code: 'ERR_METHOD_NOT_ALLOWED', message: `${path} takes ${allowed}, not ${request.method}` });
  });

  app.setErrorHandler((error: Error, request, reply) => answerError(error, request, reply));

  return app;
}

/** The paths that answer GET and HEAD only. */
const READ_ONLY_PATHS = new Set(['/db', '/status', '/status/events', ...Object.keys(STATUS_PAGE_FILES)]);

/** The methods a path's route takes (HEAD with every GET), or undefined for a path no route serves. */
function allowedMethods(path: string, withMetrics: boolean): string | undefined {
  if (READ_ONLY_PATHS.has(path) || (withMetrics && path === '/metrics')) return 'GET, HEAD';
  if (path.startsWith('/db/')) return 'GET, HEAD, PUT, DELETE';
  return undefined;
}

/**
 * The body bytes a request will hold: its Content-Length, or, for a chunked body, the most it may
 * grow to. A body over the limit holds nothing: it is refused with 413 unread. Node's parser has
 * checked that a Content-Length is one plain number.
 */
function bodyBytes(request: FastifyRequest, maxBody: number): number {
  const length = request.headers['content-length'];
  if (length !== undefined) return Number(length) > maxBody ? 0 : Number(length);
  return request.headers['transfer-encoding'] === undefined ? 0 : maxBody;
}

function answerErrorWith(
  sendError: (reply: FastifyReply, status: number, body: ErrorBody) => FastifyReply,
  error: Error & { code?: string; statusCode?: number },
  request: FastifyRequest,
  reply: FastifyReply,
  logger: Logger,
): FastifyReply {
  if (error instanceof BrainerError) return sendError(reply, httpStatusFor(error.code), errorBody(error));
  const status = error.statusCode ?? 500;
  if (status >= 500) logger.error('HTTP request failed', { method: request.method, url: request.url, error: String(error) });
  const code = FASTIFY_CODES[error.code ?? ''] ?? (status < 500 ? 'ERR_BAD_REQUEST' : 'ERR_INTERNAL');
  return sendError(reply, status, { code, message: error.message });
}

/**
 * Errors before a request is parsed (a header block too large, a timeout, bad HTTP) also get
 * `{code, message}`. Returns the code answered, or undefined when the connection was gone.
 */
function answerClientError(error: Error & { code?: string }, socket: Socket): string | undefined {
  if (error.code === 'ECONNRESET' || socket.destroyed) return undefined;
  const [status, reason, body] =
    error.code === 'HPE_HEADER_OVERFLOW'
      ? [431, 'Request Header Fields Too Large', { code: 'ERR_BAD_REQUEST', message: 'the request line and headers are too large' }]
      : error.code === 'ERR_HTTP_REQUEST_TIMEOUT'
        ? [408, 'Request Timeout', { code: 'ERR_TIMEOUT', message: 'the request did not arrive in time' }]
        : [400, 'Bad Request', { code: 'ERR_MALFORMED', message: 'not a valid HTTP request' }];
  const json = JSON.stringify(body);
  if (socket.writable) {
    socket.write(
      `HTTP/1.1 ${status} ${reason}\r\nContent-Length: ${Buffer.byteLength(json)}\r\nContent-Type: application/json\r\nConnection: close\r\n\r\n${json}`,
    );
  }
  socket.destroy(error);
  return body.code;
}
