import { BrainerError, decode, type Logger, type Message } from '@brainer/protocol';
import type { PendingRequests } from './pending-requests.js';

/** What one received message held: how many replies, and the message of an ERR_NOT_LEADER among them. */
export interface Delivered {
  replies: number;
  /** The first ERR_NOT_LEADER reply's message: the broker is a standby, and may name the leader. */
  notLeader: string | undefined;
}

/**
 * Hands the replies in one received message to the calls waiting for them. Any other message goes
 * to `onOther`; what cannot be decoded is logged and dropped, since a reply is never worth a crash.
 */
export function deliverReplies(
  frames: Buffer[],
  requests: PendingRequests,
  logger: Logger,
  onOther: (message: Message) => void = (message) => logger.warn('ignored an unexpected message', { type: message.type }),
): Delivered {
  const delivered: Delivered = { replies: 0, notLeader: undefined };
  try {
    if (frames.length !== 1) throw new BrainerError('ERR_MALFORMED', `expected 1 frame, got ${frames.length}`);
    const message = decode(frames[0]!);
    if (message.type === 'reply') {
      for (const reply of message.replies) {
        if (!reply.ok && reply.code === 'ERR_NOT_LEADER') delivered.notLeader ??= reply.message;
        requests.onReply(reply);
      }
      delivered.replies = message.replies.length;
    } else if (message.type === 'error') logger.warn('error from the server', { code: message.code, message: message.message });
    else onOther(message);
  } catch (error) {
    logger.warn('ignored a frame it could not decode', { error: String(error) });
  }
  return delivered;
}
