/**
 * Expiries travel between processes as a time on the sender's clock (`expiresAt`, 0 for none)
 * beside that clock's reading when it sent them (`sentAt`). Only their difference, the time left,
 * means anything to the receiver: no process ever compares another's clock with its own, so the
 * hosts' clocks need not agree (PROTOCOL.md 5.11).
 */

/**
 * The expiry on the receiver's clock, whose reading on receipt is `now`: as much time left as the
 * sender saw. 0 stays 0 (no expiry); an expiry that already passed stays in the past, and never
 * becomes 0 or less, which would read as none.
 */
export function expiryOnLocalClock(expiresAt: number, sentAt: number, now: number): number {
  if (expiresAt === 0) return 0;
  return Math.max(now + (expiresAt - sentAt), Number.MIN_VALUE);
}

/** A node's answer to `expiries`: its keys with a TTL, each expiry on its clock as of `sentAt`. */
export interface ExpiriesAnswer {
  sentAt: number;
  keys: [key: string, expiresAt: number][];
}

/** The `expiries` answer in a reply's JSON, or undefined if it is not one (such as an older node's bare array). */
export function readExpiriesAnswer(json: unknown): ExpiriesAnswer | undefined {
  if (json === null || typeof json !== 'object' || Array.isArray(json)) return undefined;
  const { sentAt, keys } = json as { sentAt?: unknown; keys?: unknown };
  if (typeof sentAt !== 'number' || !Number.isFinite(sentAt) || !Array.isArray(keys)) return undefined;
  const valid = keys.filter(
    (entry): entry is [string, number] =>
      Array.isArray(entry) && typeof entry[0] === 'string' && typeof entry[1] === 'number' && Number.isFinite(entry[1]) && entry[1] !== 0,
  );
  return { sentAt, keys: valid };
}
