import type { FastifyInstance, FastifyRequest } from 'fastify';
import type { Socket } from 'node:net';
import type { Registry } from 'prom-client';
import type { GatewayMetrics } from './gateway-metrics.js';
import { STREAMING } from './status-routes.js';

type StreamingRequest = FastifyRequest & { [STREAMING]?: boolean };

/**
 * Feeds the gateway's families from the HTTP server and serves `GET /metrics`. Call it before any
 * other `onRequest` hook, so that a request refused by one of those is counted too.
 */
export function instrumentHttp(app: FastifyInstance, metrics: GatewayMetrics, registry: Registry): void {
  app.server.on('connection', (socket: Socket) => {
    metrics.connectionOpened();
    socket.once('close', () => metrics.connectionClosed());
  });
  // Node closes a connection past maxConnections as soon as it is accepted, and says so with 'drop'.
  app.server.on('drop', () => metrics.connectionRefused());
  app.addHook('onRequest', async (request: StreamingRequest, reply) => {
    const started = performance.now();
    metrics.requestStarted();
    // A response's 'close' comes whether it was sent or cut off, and for a hijacked stream as well.
    reply.raw.once('close', () => {
      const seconds = request[STREAMING] ? undefined : (performance.now() - started) / 1000;
      metrics.requestFinished(request.method, reply.raw.statusCode, seconds);
    });
  });
  app.get('/metrics', async (_request, reply) => reply.type(registry.contentType).send(await registry.metrics()));
}
