import { open, rm, stat, truncate } from 'node:fs/promises';
import { join } from 'node:path';

/** The node's data log in its data directory (`@brainer/node`'s LOG_FILE). */
export const LOG_FILE = 'brainer.log';

export const LOG_DAMAGE_KINDS = ['flip', 'truncate', 'delete'] as const;
export type LogDamageKind = (typeof LOG_DAMAGE_KINDS)[number];

/** Bytes flipped by a `flip`. */
export const FLIPPED_BYTES = 8;

/**
 * Damages the data log of a stopped node in `dir`: `flip` inverts 8 bytes in its middle, `truncate`
 * cuts it to half its size, `delete` removes it (and a compaction's unfinished next log), keeping
 * the directory's `node-id`. Answers the log's size before, in bytes.
 */
export async function damageLog(dir: string, kind: LogDamageKind): Promise<number> {
  const file = join(dir, LOG_FILE);
  const size = (await stat(file)).size;
  const middle = Math.floor(size / 2);
  switch (kind) {
    case 'flip': {
      const handle = await open(file, 'r+');
      try {
        const bytes = Buffer.alloc(FLIPPED_BYTES);
        const { bytesRead } = await handle.read(bytes, 0, FLIPPED_BYTES, middle);
        for (let i = 0; i < bytesRead; i++) bytes[i] = bytes[i]! ^ 0xff;
        await handle.write(bytes, 0, bytesRead, middle);
      } finally {
        await handle.close();
      }
      break;
    }
    case 'truncate':
      await truncate(file, middle);
      break;
    case 'delete':
      await rm(file);
      await rm(`${file}.next`, { force: true });
      break;
  }
  return size;
}
