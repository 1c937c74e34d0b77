import type { Brainer } from '@brainer/client';
import { forEachIndex } from '@brainer/loadgen';
import cliProgress from 'cli-progress';

/** Writes in flight while preloading, over all the clients. */
export const PRELOAD_IN_FLIGHT = 1000;

/** The key of the preload's last write: `<prefix>fence`. */
export const fenceKeyName = (prefix: string): string => `${prefix}fence`;

/** How often the bar is redrawn, in ms. */
const REDRAW_MS = 100;

export interface PreloadOptions {
  keys: number;
  keyName: (index: number) => string;
  value: Buffer;
  /** The key of the last write, which waits for every node. */
  fenceKey: string;
  /** Stops the preload: no write starts once it is aborted. */
  signal: AbortSignal;
  /** Draw a progress bar on stderr. */
  bar: boolean;
}

/**
 * Writes every key of the key space, many in flight with wait=primary, then one write with
 * wait=all: nodes apply writes in sequence, so once that fence is on every node, every key is.
 * Resolves with how many keys were written (fewer when the signal was aborted, and no fence then).
 */
export async function preloadKeys(clients: readonly Brainer[], options: PreloadOptions): Promise<number> {
  const { keys, keyName, value } = options;
  const bar = options.bar
    ? new cliProgress.SingleBar(
        {
          format: 'preload {bar} {percentage}% | {value}/{total} keys | ETA {eta_formatted}',
          hideCursor: true,
          etaBuffer: 50,
          fps: 1000 / REDRAW_MS,
        },
        cliProgress.Presets.shades_classic,
      )
    : undefined;
  bar?.start(keys, 0);
  let done = 0;
  let drawnAt = -Infinity;
  let written = 0;
  try {
    written = await forEachIndex(
      keys,
      async (index, stream) => {
        await clients[stream % clients.length]!.set(keyName(index), value, { wait: 'primary' });
        done++;
        // The ETA looks at the last 50 updates: an update a write would make them all one instant.
        const now = performance.now();
        if (bar !== undefined && now - drawnAt >= REDRAW_MS) {
          drawnAt = now;
          bar.update(done);
        }
      },
      { concurrency: PRELOAD_IN_FLIGHT, signal: options.signal },
    );
    if (written === keys) await clients[0]!.set(options.fenceKey, value, { wait: 'all' });
    bar?.update(done);
  } finally {
    bar?.stop();
  }
  return written;
}
