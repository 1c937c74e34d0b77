import { closeSync, openSync, readFileSync, rmSync, writeFileSync, writeSync } from 'node:fs';
import { join } from 'node:path';
import { InvalidOptionError } from '@brainer/protocol';
import { PRIVATE_FILE_MODE } from './private-dir.js';

const LOCK_FILE = 'LOCK';

/**
 * Keeps a second node off a data directory, where two writers would interleave their records: a
 * LOCK file holds the owner's pid. A lock whose process is gone (a node killed with -9) is taken
 * over. Answers the function that releases it.
 */
export function lockDataDir(dir: string): () => void {
  const path = join(dir, LOCK_FILE);
  const mine = String(process.pid);
  try {
    const fd = openSync(path, 'wx', PRIVATE_FILE_MODE);
    writeSync(fd, mine);
    closeSync(fd);
  } catch (error) {
    if ((error as NodeJS.ErrnoException).code !== 'EEXIST') throw error;
    const owner = Number.parseInt(readFileSync(path, 'utf8'), 10);
    if (Number.isInteger(owner) && owner !== process.pid && isAlive(owner)) {
      throw new InvalidOptionError('dataDir', `${dir} is in use by process ${owner}`);
    }
    writeFileSync(path, mine);
  }
  return () => {
    try {
      if (readFileSync(path, 'utf8') === mine) rmSync(path, { force: true });
    } catch {
      // Already gone.
    }
  };
}

function isAlive(pid: number): boolean {
  try {
    process.kill(pid, 0);
    return true;
  } catch (error) {
    return (error as NodeJS.ErrnoException).code === 'EPERM';
  }
}
