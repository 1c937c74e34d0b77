import {
  badFrameAnswer,
  notLeaderMessage,
  decodeFrames,
  refuseLargeFrame,
  type DecodeError,
  type Message,
  type Op,
  type RateLimitedLog,
  type Reply,
} from '@brainer/protocol';
import { errorMessage } from './answers.js';
import type { BrokerContext } from './broker-context.js';
import type { ClientRequests } from './client-requests.js';
import type { Joins } from './joins.js';
import type { Liveness } from './liveness.js';
import type { NodeRecord } from './node-record.js';
import type { PeerId } from './ports.js';
import type { Registrations } from './registration.js';

/** Where each kind of message goes. */
export interface DispatchParts {
  readonly clients: ClientRequests;
  readonly registrations: Registrations;
  readonly liveness: Liveness;
  readonly joins: Joins;
  /** A node's acknowledgement of the writes up to `seq` of this epoch. */
  readonly onAck: (node: NodeRecord, seq: number, removed: readonly number[]) => void;
  /** Bad input from peers: logged at most every 5 s of each kind. */
  readonly badInput: RateLimitedLog;
}

/** Decodes what a peer sent and hands it to the part it is for; bad input gets a coded answer. */
export class Dispatch {
  constructor(
    private readonly ctx: BrokerContext,
    private readonly parts: DispatchParts,
  ) {}

  onFrames(peer: PeerId, frames: Buffer[]): void {
    if (frames.length === 1 && this.refusedAsTooLarge(peer, frames[0]!)) return;
    let message: Message;
    try {
      message = decodeFrames(frames);
    } catch (error) {
      this.onDecodeError(peer, error as DecodeError);
      return;
    }
    this.dispatch(peer, message);
  }

  /**
   * A client's frame over `limits.maxFrameBytes` gets one coded answer before anything is decoded or
   * copied. Nodes are not held to it: their replies may carry a bucket of up to the nodes' reply cap.
   */
  private refusedAsTooLarge(peer: PeerId, frame: Buffer): boolean {
    const { maxFrameBytes } = this.ctx.options.limits;
    if (frame.length <= maxFrameBytes || this.ctx.membership.byPeer(peer)) return false;
    this.parts.badInput.warn('frame-size', 'refused a frame over the size limit', { bytes: frame.length, limit: maxFrameBytes });
    this.ctx.outbox.sendNow(peer, refuseLargeFrame(frame, maxFrameBytes)!);
    return true;
  }

  /** PROTOCOL.md 4.2: the refusals of the ops read before the failure go out with the tick's replies. */
  private onDecodeError(peer: PeerId, error: DecodeError): void {
    this.parts.badInput.warn(error.code, 'rejected a frame', { code: error.code, reason: error.message });
    const answer = badFrameAnswer(error);
    if (answer.type !== 'reply') return this.ctx.outbox.sendNow(peer, answer);
    for (const reply of answer.replies) this.ctx.outbox.reply(peer, reply);
  }

  private dispatch(peer: PeerId, message: Message): void {
    switch (message.type) {
      case 'request':
        return this.parts.clients.onRequest(peer, message.ops as Op[]);
      case 'register':
      case 'resume':
        if (!this.ctx.lifecycle.leading) return this.notLeader(peer);
        return this.parts.registrations.onRegister({ peer, message });
      case 'unregister':
      case 'heartbeat':
      case 'ack':
      case 'reply':
      case 'caught-up':
      case 'join-failed': {
        if (!this.ctx.lifecycle.leading) return this.notLeader(peer);
        const node = this.ctx.membership.byPeer(peer);
        if (node) return this.onNodeMessage(node, message);
        const reason = `${message.type} from a peer that is not a registered node; register first`;
        return this.ctx.outbox.sendNow(peer, errorMessage('ERR_UNKNOWN_NODE', reason));
      }
      case 'error':
        return this.parts.badInput.warn('error', 'error message from a peer', { code: message.code, message: message.message });
      default:
        this.parts.badInput.warn('role', 'rejected a message not meant for a broker', { type: message.type });
        this.ctx.outbox.sendNow(peer, errorMessage('ERR_WRONG_ROLE', `a broker does not accept ${message.type}`));
    }
  }

  /** A standby tells a node where the leader is, when it knows. */
  private notLeader(peer: PeerId): void {
    this.ctx.outbox.sendNow(peer, errorMessage('ERR_NOT_LEADER', notLeaderMessage(this.ctx.ports.leader())));
  }

  private onNodeMessage(node: NodeRecord, message: Message): void {
    const { liveness, joins } = this.parts;
    switch (message.type) {
      case 'heartbeat':
        return liveness.onHeartbeat(node, message);
      case 'ack':
        // A joiner acks once it is caught up, before the broker has marked it ready: keep those too.
        if (message.epoch === this.ctx.log.epoch) this.parts.onAck(node, message.seq, message.removed);
        return;
      case 'reply':
        for (const reply of message.replies as Reply[]) this.ctx.requests.onReply(node, reply);
        return;
      case 'caught-up':
        return joins.onCaughtUp(node, message);
      case 'join-failed':
        return joins.onJoinFailed(node, message);
      case 'unregister':
        return liveness.dropNode(node, 'unregistered', this.ctx.now());
      default:
        return;
    }
  }
}
