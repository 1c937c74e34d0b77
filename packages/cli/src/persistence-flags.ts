import { existsSync, readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import type { FsyncMode, LogEngineOptions } from '@brainer/node';
import { Flags } from '@oclif/core';
import { UsageError } from './errors.js';

const FSYNC_OPTIONS = ['always', 'everysec', 'no'] as const satisfies readonly FsyncMode[];

/** run-node's flags for keeping the data on disk. */
export const persistenceFlags = {
  'data-dir': Flags.string({
    description:
      'Keep the data in this directory, as a log replayed at start: a restarted node comes back with its data and catches up from where it was. Default: memory only.',
    helpValue: '<dir>',
    helpGroup: 'PERSISTENCE',
  }),
  fsync: Flags.option({
    description:
      'With --data-dir, when the log is synced to disk: always (before each acknowledgement), everysec (once a second), or no (when the OS decides). Default everysec.',
    options: FSYNC_OPTIONS,
    helpGroup: 'PERSISTENCE',
  })(),
  'compact-min-bytes': Flags.integer({
    description: 'With --data-dir: a log smaller than this is never compacted, in bytes. Default 67108864 (64 MiB).',
    min: 0,
    helpValue: '<bytes>',
    helpGroup: 'PERSISTENCE',
  }),
  'compact-growth-percent': Flags.integer({
    description: 'With --data-dir: a log is compacted once it has grown this many percent since it was last compacted. Default 100.',
    min: 0,
    helpValue: '<percent>',
    helpGroup: 'PERSISTENCE',
  }),
};

type PersistenceFlags = {
  'data-dir'?: string;
  fsync?: FsyncMode;
  'compact-min-bytes'?: number;
  'compact-growth-percent'?: number;
};

/** The log engine's options from the flags, or undefined without --data-dir. */
export function logEngineOptions(flags: PersistenceFlags): (Partial<LogEngineOptions> & Pick<LogEngineOptions, 'dir'>) | undefined {
  const dir = flags['data-dir'];
  if (dir === undefined) {
    const stray = (['fsync', 'compact-min-bytes', 'compact-growth-percent'] as const).find((flag) => flags[flag] !== undefined);
    if (stray !== undefined) throw new UsageError(`--${stray} needs --data-dir`);
    return undefined;
  }
  return {
    dir,
    ...(flags.fsync === undefined ? {} : { fsync: flags.fsync }),
    ...(flags['compact-min-bytes'] === undefined ? {} : { compactMinBytes: flags['compact-min-bytes'] }),
    ...(flags['compact-growth-percent'] === undefined ? {} : { compactGrowthPercent: flags['compact-growth-percent'] }),
  };
}

const ID_FILE = 'node-id';

/** The node id kept in a data directory, so that a node restarted without --id is the same node to the broker. */
export function storedNodeId(dir: string | undefined): string | undefined {
  if (dir === undefined || !existsSync(join(dir, ID_FILE))) return undefined;
  return readFileSync(join(dir, ID_FILE), 'utf8').trim() || undefined;
}

export function storeNodeId(dir: string | undefined, id: string): void {
  if (dir !== undefined) writeFileSync(join(dir, ID_FILE), `${id}\n`, { mode: 0o600 });
}
