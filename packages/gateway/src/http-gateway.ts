import type { FastifyInstance } from 'fastify';
import type { AddressInfo } from 'node:net';
import { buildHttpApp } from './http-app.js';
import { resolveHttpGatewayOptions, type HttpGatewayOptions } from './options.js';

/**
 * The HTTP REST gateway: `PUT/GET/DELETE /db/:key`, `GET /db?prefix=&limit=` and `GET /status`,
 * served over a Brainer client (see http-app.ts).
 */
export class HttpGateway {
  private readonly options: HttpGatewayOptions;
  private readonly app: FastifyInstance;
  private listening: Promise<void> | undefined;
  private closed = false;

  constructor(options: Partial<HttpGatewayOptions> & Pick<HttpGatewayOptions, 'client'>) {
    this.options = resolveHttpGatewayOptions(options);
    this.app = buildHttpApp(this.options);
  }

  /** Starts listening. Idempotent. */
  start(): Promise<void> {
    this.listening ??= this.app.listen({ port: this.options.port, host: this.options.host }).then(() => {
      this.options.logger.info('HTTP gateway listening', { url: this.url });
    });
    return this.listening;
  }

  /** The base URL it listens on, such as `http://127.0.0.1:8080` (the real port when 0 was asked). */
  get url(): string {
    const address = this.app.server.address() as AddressInfo | null;
    if (address === null) throw new Error('the HTTP gateway is not listening');
    const host = address.family === 'IPv6' ? `[${address.address}]` : address.address;
    return `http://${host}:${address.port}`;
  }

  /** Stops listening; requests under way finish first. Idempotent. */
  async close(): Promise<void> {
    if (this.closed) return;
    this.closed = true;
    await this.listening?.catch(() => undefined);
    await this.app.close();
  }
}
