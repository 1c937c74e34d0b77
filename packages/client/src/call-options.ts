import type { WaitMode } from '@brainer/protocol';

/** Options of `set` and `mset` (and a bucket's `set`). */
export interface SetOptions {
  /** `all` (default): answered once every ready node applied the write. `primary`: once the key's primary did. */
  wait?: WaitMode;
  /** Time to live, in ms. The broker deletes the key on every node when it passes. Default: none. */
  ttlMs?: number;
}

/** Options of `scan`. */
export interface ScanOptions {
  /** The page starts after this key (in UTF-8 byte order). Default '': from the first key. */
  after?: string;
  /** Most keys in the page, 1 to 100,000. Default 1,000. */
  count?: number;
}

/** Options of `del` (and a bucket's `del`). */
export interface DelOptions {
  wait?: WaitMode;
}
