import type { ErrorCode, Message, Reply, WriteKind } from '@brainer/protocol';
import { answersHit } from './ack-tracker.js';
import type { Outbox } from './outbox.js';
import type { ReplyTarget } from './reply-target.js';

/** Answers `target` with `reply` under the op's own id; an op of the broker's own (no target) gets nothing. */
export function replyTo(outbox: Outbox, target: ReplyTarget | undefined, reply: Reply): void {
  if (target) outbox.reply(target.peer, { ...reply, id: target.opId });
}

export function writeReply(kind: WriteKind, found: boolean): Reply {
  return { id: 0, ok: true, value: answersHit(kind) ? (found ? 1 : 0) : undefined };
}

export function fail(id: number, code: ErrorCode, message: string): Reply {
  return { id, ok: false, code, message };
}

export function errorMessage(code: ErrorCode, message: string): Message {
  return { type: 'error', code, message };
}
