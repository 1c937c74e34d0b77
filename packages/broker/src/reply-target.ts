/** Where an op's answer goes: the client's routing id and the op's id. */
export interface ReplyTarget {
  readonly peer: Buffer;
  readonly peerKey: string;
  readonly opId: number;
}
