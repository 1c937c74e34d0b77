import type { WriteKind } from './messages.js';

/**
 * One client write a node remembers, as its answer to `recent` lists them (PROTOCOL.md 3.3): the
 * client's routing id in hex, the op's id, its write kind, and 1 when that delete removed a key (or
 * that expire found one).
 */
export type RecentWrite = [client: string, opId: number, kind: WriteKind, removed: number];

const WRITE_KINDS: readonly unknown[] = ['set', 'del', 'expire', 'flush'] satisfies readonly WriteKind[];

/** Whether one entry of a `recent` answer (parsed JSON) is a well-formed `RecentWrite`. */
export function isRecentWrite(entry: unknown): entry is RecentWrite {
  return (
    Array.isArray(entry) &&
    typeof entry[0] === 'string' &&
    typeof entry[1] === 'number' &&
    WRITE_KINDS.includes(entry[2]) &&
    typeof entry[3] === 'number'
  );
}
