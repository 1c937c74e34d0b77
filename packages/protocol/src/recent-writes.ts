/**
 * One client write a node remembers, as its answer to `recent` lists them (PROTOCOL.md 3.3): the
 * client's routing id in hex, the op's id, `set` or `del`, and 1 when that delete removed a key.
 */
export type RecentWrite = [client: string, opId: number, kind: 'set' | 'del', removed: number];

/** Whether one entry of a `recent` answer (parsed JSON) is a well-formed `RecentWrite`. */
export function isRecentWrite(entry: unknown): entry is RecentWrite {
  return (
    Array.isArray(entry) &&
    typeof entry[0] === 'string' &&
    typeof entry[1] === 'number' &&
    (entry[2] === 'set' || entry[2] === 'del') &&
    typeof entry[3] === 'number'
  );
}
