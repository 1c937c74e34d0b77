import type { PeerId } from './ports.js';

/** Where an op's answer goes: the client's connection and the op's id. */
export interface ReplyTarget {
  readonly peer: PeerId;
  readonly opId: number;
}
