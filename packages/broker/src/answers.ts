import type { ErrorCode, Message, Reply, WriteKind } from '@brainer/protocol';
import { answersHit } from './ack-tracker.js';
import type { Outbox } from './outbox.js';
import type { ReplyTarget } from './reply-target.js';

/**
 * Answers `target` with `reply` under the op's own id; an op of the broker's own (no target) gets
 * nothing. `reply` is taken over and its id set in place, which saves a copy of every answer: pass
 * a fresh one for each target.
 */
export function replyTo(outbox: Outbox, target: ReplyTarget | undefined, reply: Reply): void {
  if (!target) return;
  reply.id = target.opId;
  outbox.reply(target.peer, reply);
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
