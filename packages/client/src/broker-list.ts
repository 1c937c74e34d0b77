import { leaderInMessage, parseBrokerList, requireEndpoint } from '@brainer/protocol';

/**
 * The brokers a client was given and the one it talks to now (PROTOCOL.md 5.17). One leads and the
 * others stand by: a standby's ERR_NOT_LEADER names the leader when it knows it, and the client goes
 * there; otherwise, or when a broker does not answer, it goes on to the next of the list. Holds no
 * sockets and no timers.
 */
export class BrokerList {
  /** The brokers given, in order, without duplicates. */
  readonly endpoints: readonly string[];
  /** Where in `endpoints` the client last went; a leader named from outside the list leaves it. */
  private index = 0;
  private currentEndpoint: string;
  /** Moves made since a broker last answered as a leader would. */
  private movesSinceAnswer = 0;

  /** `brokers`: one endpoint, `E1,E2`, or a list. `field` names the option in errors. */
  constructor(brokers: string | readonly string[], field = 'endpoint') {
    this.endpoints = brokerEndpoints(brokers, field);
    this.currentEndpoint = this.endpoints[0]!;
  }

  /** The broker the client talks to now. */
  get current(): string {
    return this.currentEndpoint;
  }

  /**
   * Whether there is another broker to go to: another of the list, or, after following a leader
   * named from outside the list, the list's own (which may lead again once that one is gone).
   */
  get several(): boolean {
    return this.endpoints.length > 1 || !this.endpoints.includes(this.currentEndpoint);
  }

  /** Whether the client has tried every broker of its list since one last answered. */
  get wentRound(): boolean {
    return this.movesSinceAnswer >= this.endpoints.length;
  }

  /**
   * Where to go after ERR_NOT_LEADER with `message`: the leader it names, else the next broker.
   * Undefined when that is where the client already is.
   */
  afterNotLeader(message: string): string | undefined {
    const leader = leaderInMessage(message);
    return leader === this.currentEndpoint ? this.next() : this.toward(leader);
  }

  /**
   * Where to go from a standby that names `leader` (or none) in its `stats`: there, else the next
   * broker. Undefined when that is where the client already is.
   */
  toward(leader: string | undefined): string | undefined {
    if (leader === undefined) return this.next();
    if (leader === this.currentEndpoint) return undefined;
    const index = this.endpoints.indexOf(leader);
    if (index >= 0) this.index = index;
    return this.moveTo(leader);
  }

  /**
   * The next broker of the list, after one that refused, stayed silent or knows no leader (from a
   * leader outside the list, the one after where the client was: with one broker given, that one).
   * Undefined with only one broker given, when at it.
   */
  next(): string | undefined {
    if (!this.several) return undefined;
    this.index = (this.index + 1) % this.endpoints.length;
    return this.moveTo(this.endpoints[this.index]!);
  }

  /** A broker answered as a leader: the next time it fails, the whole list is worth a try again. */
  answered(): void {
    this.movesSinceAnswer = 0;
  }

  private moveTo(endpoint: string): string {
    this.currentEndpoint = endpoint;
    this.movesSinceAnswer++;
    return endpoint;
  }
}

/** The endpoints of `brokers`, checked; a JavaScript caller may pass anything. */
function brokerEndpoints(brokers: unknown, field: string): string[] {
  // A lone endpoint keeps the message it always had.
  if (typeof brokers === 'string' && !brokers.includes(',')) return [requireEndpoint(field, brokers)];
  if (typeof brokers === 'string' || (Array.isArray(brokers) && brokers.every((item) => typeof item === 'string'))) {
    return parseBrokerList(field, brokers as string | string[]);
  }
  return [requireEndpoint(field, brokers)];
}
