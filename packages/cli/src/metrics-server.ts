import { createServer, type IncomingMessage, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';
import type { Logger } from '@brainer/protocol';
import { collectDefaultMetrics, Registry } from 'prom-client';
import { UsageError } from './errors.js';

/** A process's health for `/health`: 200 while `serving`, else 503, with `body` as JSON. */
export type HealthCheck = () => { serving: boolean; body: object };

export interface MetricsServer {
  /** Where `/metrics` is served, such as `http://127.0.0.1:9100/metrics`. */
  readonly url: string;
  close(): Promise<void>;
}

/** A registry holding prom-client's default process metrics, for a process's own families to join. */
export function createMetricsRegistry(): Registry {
  const registry = new Registry();
  collectDefaultMetrics({ register: registry });
  return registry;
}

/**
 * Serves `/metrics` (the registry in Prometheus's text format) and `/health` on plain node:http,
 * apart from the process's ZeroMQ sockets. Fails with a usage error when it cannot listen.
 */
export async function startMetricsServer(options: {
  host: string;
  port: number;
  registry: Registry;
  health: HealthCheck;
  logger: Logger;
}): Promise<MetricsServer> {
  const { registry, health, logger } = options;
  const server = createServer((request, response) => {
    answer(request, response, registry, health).catch((error: unknown) => {
      logger.warn('metrics request failed', { url: request.url, error: String(error) });
      if (!response.headersSent) send(response, 500, 'application/json', JSON.stringify({ code: 'ERR_INTERNAL', message: String(error) }));
      else response.destroy();
    });
  });
  await new Promise<void>((resolve, reject) => {
    server.once('error', (error: NodeJS.ErrnoException) =>
      reject(
        new UsageError(`--metrics: cannot listen on ${options.host}:${options.port}: ${error.code ?? error.message}`, { cause: error }),
      ),
    );
    server.listen(options.port, options.host, () => resolve());
  });
  const { address, family, port } = server.address() as AddressInfo;
  const url = `http://${family === 'IPv6' ? `[${address}]` : address}:${port}/metrics`;
  logger.info('metrics listening', { url });
  return {
    url,
    close: () =>
      new Promise<void>((resolve) => {
        server.close(() => resolve());
        server.closeAllConnections();
      }),
  };
}

async function answer(request: IncomingMessage, response: ServerResponse, registry: Registry, health: HealthCheck): Promise<void> {
  const path = new URL(request.url ?? '/', 'http://localhost').pathname;
  if (request.method !== 'GET' && request.method !== 'HEAD') {
    response.setHeader('allow', 'GET, HEAD');
    return send(response, 405, 'application/json', JSON.stringify({ code: 'ERR_METHOD', message: `${request.method} is not allowed` }));
  }
  if (path === '/metrics') return send(response, 200, registry.contentType, await registry.metrics());
  if (path === '/health') {
    const { serving, body } = health();
    return send(response, serving ? 200 : 503, 'application/json', JSON.stringify(body));
  }
  send(response, 404, 'application/json', JSON.stringify({ code: 'ERR_NOT_FOUND', message: `no ${path} here: try /metrics or /health` }));
}

function send(response: ServerResponse, status: number, contentType: string, body: string): void {
  response.writeHead(status, { 'content-type': contentType, 'content-length': Buffer.byteLength(body) });
  response.end(response.req.method === 'HEAD' ? undefined : body);
}
