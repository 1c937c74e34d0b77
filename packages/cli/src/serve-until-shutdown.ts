import type { Logger } from '@brainer/protocol';
import { waitForShutdown } from './wait-for-shutdown.js';

export interface Service {
  start(): Promise<void>;
  close(): Promise<void>;
}

export interface ServeOptions {
  logger: Logger;
  /** Called once `start()` has resolved; prints the ready line. */
  onReady: () => void;
  /**
   * Called on SIGHUP: reloads what can be reloaded, and resolves with what it reloaded, for the log
   * line; undefined when there was nothing to reload. A failure is logged and changes nothing.
   */
  onReload?: () => Promise<Record<string, unknown> | undefined>;
  /** Milliseconds `close()` may take before the process gives up on it and fails. Default 10,000. */
  closeTimeoutMs?: number;
}

/**
 * Starts a broker or node, reports ready, and on SIGINT or SIGTERM closes it. A signal that
 * arrives while `start()` is still waiting (say, for a broker that is not up) closes it too, so
 * the process can always be stopped. SIGHUP never stops it: it reloads (`onReload`). Rejects when
 * `start()` or `close()` fails or `close()` hangs; a failed start is closed first, so that nothing
 * it bound (an ipc socket file) is left behind.
 */
export async function serveUntilShutdown(service: Service, options: ServeOptions): Promise<void> {
  const { logger } = options;
  const shutdown = waitForShutdown();
  process.on('SIGHUP', () => reload(options));
  const started = service.start().then(() => 'started' as const);
  const first = await Promise.race([started, shutdown]).catch(async (error: unknown) => {
    await withTimeout(service.close(), options.closeTimeoutMs ?? 10_000).catch(() => undefined);
    throw error;
  });
  if (first === 'started') {
    options.onReady();
    logger.info('shutting down', { reason: await shutdown });
  } else {
    logger.info('shutting down before start completed', { reason: first });
    started.catch(() => undefined);
  }
  await withTimeout(service.close(), options.closeTimeoutMs ?? 10_000);
}

function reload({ logger, onReload }: ServeOptions): void {
  if (onReload === undefined) {
    logger.info('SIGHUP: nothing to reload; going on');
    return;
  }
  onReload().then(
    (reloaded) => logger.info(reloaded === undefined ? 'SIGHUP: nothing to reload; going on' : 'SIGHUP: reloaded', reloaded),
    (error: unknown) =>
      logger.error('SIGHUP: reload failed; keeping what was loaded', {
        code: (error as { code?: unknown } | null)?.code,
        error: (error as Error | null)?.message ?? String(error),
      }),
  );
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
