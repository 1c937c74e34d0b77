import type { FastifyInstance } from 'fastify';
import { loadStaticFiles } from './static-files.js';
import type { StatusFeed } from './status-feed.js';

/**
 * The page may load its own files and open its own event stream, and nothing else: no script of
 * another origin, no inline script, no request off this gateway.
 */
export const STATUS_PAGE_CSP =
  "default-src 'none'; script-src 'self'; style-src 'self'; connect-src 'self'; img-src 'self' data:; base-uri 'none'; form-action 'none'; frame-ancestors 'none'";

/** A slow reader's stream is closed past this many unsent bytes rather than buffered without end. */
const MAX_UNSENT_BYTES = 1024 * 1024;

/** Marks a request whose response is a stream, so its lifetime is not timed as a request's latency. */
export const STREAMING = Symbol('streaming response');

/**
 * The live status page: `GET /` and its script and style, served from the package's `public/`,
 * and `GET /status/events`, a server-sent event stream of StatusSnapshot, one event a poll.
 */
export function addStatusRoutes(app: FastifyInstance, feed: StatusFeed): void {
  for (const [url, file] of loadStaticFiles()) {
    app.get(url, async (_request, reply) =>
      reply
        .type(file.type)
        .header('cache-control', 'no-cache')
        .header('content-security-policy', STATUS_PAGE_CSP)
        .header('x-content-type-options', 'nosniff')
        .send(file.body),
    );
  }

  app.get('/status/events', (request, reply) => {
    (request as { [STREAMING]?: boolean })[STREAMING] = true;
    reply.hijack();
    const response = reply.raw;
    response.writeHead(200, { 'content-type': 'text/event-stream; charset=utf-8', 'cache-control': 'no-store' });
    if (request.method === 'HEAD') return void response.end();
    // The stream is written by the gateway, once an interval however long that is: the idle timeout
    // that closes silent connections does not apply to it. A reader that stops reading is cut off below.
    request.raw.socket.setTimeout(0);
    // EventSource reconnects by itself, after this many ms.
    response.write('retry: 2000\n\n');
    const stop = feed.watch({
      send: (snapshot) => {
        // A stream closed by its reader may get one more snapshot before its 'close' comes: a write then would throw.
        if (response.destroyed || response.writableEnded) return;
        if (response.writableLength > MAX_UNSENT_BYTES) return void response.destroy();
        response.write(`data: ${JSON.stringify(snapshot)}\n\n`);
      },
      end: () => {
        if (!response.writableEnded) response.end();
      },
    });
    response.once('close', stop);
  });

  // Close every stream before the server waits for its connections to end.
  app.addHook('preClose', async () => feed.close());
}
