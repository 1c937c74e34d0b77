import { decode, encode, notLeaderMessage, type Reply } from '@brainer/protocol';
import { Router } from 'zeromq';

/**
 * A ROUTER that plays a standby broker (PROTOCOL.md 5.17), for tests of clients that follow the
 * leader: it answers `ping`, `stats` (role standby, epoch 0, the leader) and every other op with
 * ERR_NOT_LEADER naming `leader`, or naming none when it is undefined. It counts what it refused.
 */
export class FakeStandby {
  /** The ops it answered with ERR_NOT_LEADER. */
  notLeaderAnswers = 0;

  private constructor(
    private readonly socket: Router,
    readonly endpoint: string,
    private readonly leader: string | undefined,
  ) {
    void this.serve();
  }

  /** Binds on a free loopback port. */
  static async start(leader: string | undefined): Promise<FakeStandby> {
    const socket = new Router({ linger: 0 });
    await socket.bind('tcp://127.0.0.1:*');
    return new FakeStandby(socket, socket.lastEndpoint!, leader);
  }

  close(): void {
    this.socket.close();
  }

  private async serve(): Promise<void> {
    try {
      for await (const [sender, frame] of this.socket) {
        const message = decode(frame!);
        if (message.type !== 'request') continue;
        const replies = message.ops.map((op) => this.answer(op.id, op.op));
        await this.socket.send([sender!, encode({ type: 'reply', replies })]);
      }
    } catch {
      // Closed.
    }
  }

  private answer(id: number, op: string): Reply {
    if (op === 'ping') return { id, ok: true, value: undefined };
    if (op === 'stats') return { id, ok: true, value: { json: { role: 'standby', epoch: 0, leader: this.leader ?? null } } };
    this.notLeaderAnswers++;
    return { id, ok: false, code: 'ERR_NOT_LEADER', message: notLeaderMessage(this.leader) };
  }
}
