import { Dealer, Router } from 'zeromq';

/**
 * A broker endpoint that passes every request on to the real broker under the sender's own identity
 * and drops the answers: a leader that applies a write but whose reply is lost. A client that gives
 * up on it and sends the write again elsewhere must not have it applied twice.
 */
export class LossyRelay {
  /** The requests it passed on. */
  relayed = 0;
  private readonly upstream = new Map<string, Dealer>();

  private constructor(
    private readonly socket: Router,
    readonly endpoint: string,
    private readonly broker: string,
  ) {
    void this.serve();
  }

  static async start(broker: string): Promise<LossyRelay> {
    const socket = new Router({ linger: 0 });
    await socket.bind('tcp://127.0.0.1:*');
    return new LossyRelay(socket, socket.lastEndpoint!, broker);
  }

  close(): void {
    this.socket.close();
    for (const dealer of this.upstream.values()) dealer.close();
  }

  private async serve(): Promise<void> {
    try {
      for await (const [sender, ...frames] of this.socket) {
        await this.dealerFor(sender!.toString('latin1')).send(frames);
        this.relayed++;
      }
    } catch {
      // Closed.
    }
  }

  private dealerFor(identity: string): Dealer {
    let dealer = this.upstream.get(identity);
    if (dealer === undefined) {
      dealer = new Dealer({ linger: 0, routingId: identity });
      dealer.connect(this.broker);
      this.upstream.set(identity, dealer);
      void drain(dealer);
    }
    return dealer;
  }
}

/** Receives every answer and drops it. */
async function drain(dealer: Dealer): Promise<void> {
  try {
    for (;;) await dealer.receive();
  } catch {
    // Closed.
  }
}
