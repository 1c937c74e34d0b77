import { BrainerError, type Limits, type Logger } from '@brainer/protocol';
import Fastify, { type FastifyInstance, type FastifyReply, type FastifyRequest } from 'fastify';
import type { Socket } from 'node:net';
import { errorBody, notFound, type ErrorBody } from './error-body.js';
import { formValue } from './form-value.js';
import type { GatewayClient } from './gateway-client.js';
import { httpStatusFor } from './http-status.js';
import { listKeys } from './key-listing.js';
import { DEFAULT_LIST_LIMIT, MAX_LIST_LIMIT } from './options.js';
import { parseLimit, parseTtl, parseWait } from './request-fields.js';

type Query = Record<string, unknown>;
/** `/db/*` rather than `/db/:key`: a key may hold `/`, encoded as %2F or not. */
type KeyRoute = { Params: { '*': string }; Querystring: Query };

/** Fastify's codes for a body over the limit and a URL that does not decode. */
const FASTIFY_CODES: Record<string, string> = { FST_ERR_CTP_BODY_TOO_LARGE: 'ERR_VALUE_TOO_LARGE', FST_ERR_BAD_URL: 'ERR_BAD_KEY' };

/**
 * The REST routes over a Brainer client. Every failure is answered as JSON `{code, message}` with the
 * status that fits the code (see http-status.ts).
 */
export function buildHttpApp(client: GatewayClient, limits: Limits, logger: Logger): FastifyInstance {
  const app = Fastify({
    logger: false,
    bodyLimit: limits.maxValueBytes,
    // A URL carries the key percent-encoded, up to 3 bytes a byte: let the broker's key limit be the one that applies.
    http: { maxHeaderSize: 3 * limits.maxKeyBytes + 16 * 1024 },
    clientErrorHandler: answerClientError,
    frameworkErrors: (error, request, reply) => answerError(error, request, reply, logger),
  });

  // Values are bytes: store the body as it came, whatever its type, except for a form.
  app.removeAllContentTypeParsers();
  app.addContentTypeParser('*', { parseAs: 'buffer' }, (_request, body, done) => done(null, body));
  app.addContentTypeParser(
    'application/x-www-form-urlencoded',
    // Percent-encoding triples a value at most; the broker checks the decoded size.
    { parseAs: 'string', bodyLimit: 3 * limits.maxValueBytes + 1024 },
    (_request, body, done) => {
      try {
        done(null, formValue(String(body)));
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
    if (typeof prefix !== 'string') throw new BrainerError('ERR_BAD_REQUEST', 'give prefix once');
    const limit = parseLimit(request.query.limit, MAX_LIST_LIMIT) ?? DEFAULT_LIST_LIMIT;
    const { keys, total } = await listKeys(client, prefix, limit);
    return reply.header('x-total-count', total).send(keys);
  });

  app.get('/status', async (_request, reply) => reply.send({ nodes: await client.nodes() }));

  app.setNotFoundHandler((request, reply) =>
    sendError(reply, 404, { code: 'ERR_NOT_FOUND', message: `no route for ${request.method} ${request.url.split('?')[0]}` }),
  );

  app.setErrorHandler((error: Error, request, reply) => answerError(error, request, reply, logger));

  return app;
}

function answerError(
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

function sendError(reply: FastifyReply, status: number, body: ErrorBody): FastifyReply {
  if (status === 503) reply.header('retry-after', '1');
  return reply.code(status).type('application/json; charset=utf-8').send(body);
}

/** Errors before a request is parsed (a header block too large, a timeout, bad HTTP) also get `{code, message}`. */
function answerClientError(error: Error & { code?: string }, socket: Socket): void {
  if (error.code === 'ECONNRESET' || socket.destroyed) return;
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
}
