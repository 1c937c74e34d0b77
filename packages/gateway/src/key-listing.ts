import { BrainerError } from '@brainer/protocol';
import type { GatewayClient } from './gateway-client.js';

/** The `keys` glob that matches exactly the keys starting with `prefix`. */
export function prefixPattern(prefix: string): string {
  return `${prefix.replace(/[*?[\]\\]/g, '\\$&')}*`;
}

export interface KeyListing {
  /** Up to `limit` matching keys, in UTF-8 byte order. */
  keys: string[];
  /** Where the next page starts; undefined on the last page. */
  cursor: string | undefined;
}

const utf8 = new TextDecoder('utf-8', { fatal: true });

/** Listings a gateway runs at once: each walks a node's keys, so they queue rather than pile up on the nodes. */
const LISTINGS_AT_ONCE = 2;
/** Listings that may wait their turn; more are refused with ERR_BACKPRESSURE. */
const LISTINGS_WAITING = 64;

/**
 * Lists keys a page at a time, a few listings at once. Each page is one `scan` of one node: the
 * gateway never fetches or sorts every key. A key written or deleted between pages shows up on a
 * later page or not, as with Redis's SCAN.
 */
export class KeyLister {
  private running = 0;
  private readonly waiting: (() => void)[] = [];

  constructor(private readonly client: GatewayClient) {}

  /** One page of the keys that start with `prefix`, after `cursor` (a page's `cursor`, or '' for the first). */
  async list(prefix: string, limit: number, cursor = ''): Promise<KeyListing> {
    const after = afterKey(cursor);
    await this.turn();
    try {
      // One key more than asked tells whether another page follows.
      const keys = await this.client.scan(prefixPattern(prefix), { after, count: limit + 1 });
      if (keys.length <= limit) return { keys, cursor: undefined };
      const page = keys.slice(0, limit);
      return { keys: page, cursor: Buffer.from(page.at(-1)!, 'utf8').toString('base64url') };
    } finally {
      const next = this.waiting.shift();
      if (next === undefined) this.running--;
      else next();
    }
  }

  private async turn(): Promise<void> {
    if (this.running < LISTINGS_AT_ONCE) {
      this.running++;
      return;
    }
    if (this.waiting.length >= LISTINGS_WAITING) {
      throw new BrainerError('ERR_BACKPRESSURE', `${LISTINGS_WAITING} listings are already waiting: retry shortly`);
    }
    // The listing that finishes hands its place over: `running` stays as it is.
    await new Promise<void>((resolve) => this.waiting.push(resolve));
  }
}

/** The key a cursor stands for: it is the last key of the page before, in base64url. */
function afterKey(cursor: string): string {
  if (!/^[A-Za-z0-9_-]*$/.test(cursor)) throw badCursor(cursor);
  try {
    return utf8.decode(Buffer.from(cursor, 'base64url'));
  } catch (error) {
    throw badCursor(cursor, error);
  }
}

function badCursor(cursor: string, cause?: unknown): BrainerError {
  return new BrainerError('ERR_BAD_REQUEST', `${JSON.stringify(cursor)} is not a cursor: pass back the one a listing answered`, { cause });
}
