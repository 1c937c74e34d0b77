import type { Logger } from '@brainer/protocol';
import { waitForShutdown } from './wait-for-shutdown.js';

export interface Service {
  start(): Promise<void>;
  close(): Promise<void>;
}

export interface ServeOptions {
  logger: Logger;
  /** Called once `start()` has resolved, before `onReady`. */
  onStarted?: () => Promise<void>;
  /** Called once `start()` has resolved; prints the ready line. */
  onReady: () => void;
  /** Milliseconds `close()` may take before the process gives up on it and fails. Default 10,000. */
  closeTimeoutMs?: number;
}

/**
 * Starts a broker or node, reports ready, and on SIGINT or SIGTERM closes it. A signal that
 * arrives while `start()` is still waiting (say, for a broker that is not up) closes it too, so
 * the process can always be stopped. Rejects when `start()` or `close()` fails or `close()` hangs.
 */
export async function serveUntilShutdown(service: Service, options: ServeOptions): Promise<void> {
  const { logger } = options;
  const shutdown = waitForShutdown();
  const started = service.start().then(() => 'started' as const);
  const first = await Promise.race([started, shutdown]);
  if (first === 'started') {
    await options.onStarted?.();
    options.onReady();
    logger.info('shutting down', { reason: await shutdown });
  } else {
    logger.info('shutting down before start completed', { reason: first });
    started.catch(() => undefined);
  }
  await withTimeout(service.close(), options.closeTimeoutMs ?? 10_000);
}

async function withTimeout(promise: Promise<void>, ms: number): Promise<void> {
  let timer: NodeJS.Timeout | undefined;
  const timeout = new Promise<never>((_, reject) => {
    timer = setTimeout(() => reject(Object.assign(new Error(`close() did not finish within ${ms} ms`), { code: 'ERR_TIMEOUT' })), ms);
  });
  try {
    await Promise.race([promise, timeout]);
  } finally {
    clearTimeout(timer);
  }
}
