import { isRecentWrite, jsonOf, readExpiriesAnswer, type Logger, type Reply } from '@brainer/protocol';
import type { DedupTable } from './dedup-table.js';
import type { Expiry } from './expiry.js';
import type { Membership } from './membership.js';
import type { NodeRecord } from './node-record.js';
import type { NodeRequests, RequestOwner } from './node-requests.js';

/** How many times a new epoch asks for the nodes' recent writes and TTLs, a request timeout apart. */
const ATTEMPTS = 10;

type Kind = 'recent' | 'expiries';

interface Fetch {
  /** The nodes the epoch started from: a node that joins later knows only the writes since its join. */
  readonly sources: readonly string[];
  readonly waiting: Set<Kind>;
  attempt: number;
}

interface Asked {
  readonly fetch: Fetch;
  readonly kind: Kind;
  readonly attempt: number;
}

/**
 * When a new epoch starts from nodes' data, asks a node it started from for the client writes it
 * applied most recently, so that a retry of a write acknowledged (or lost in flight) by the previous
 * broker is answered, not applied again; and for its keys with a TTL, so that they still expire.
 * Writes wait (ERR_NOT_READY, which clients retry) while it runs. A busy node may answer late, so an
 * unanswered fetch is asked again, of another source when there is one, before it gives up.
 */
export class StartupFetch implements RequestOwner<Asked> {
  private current: Fetch | undefined;

  constructor(
    private readonly membership: Membership,
    private readonly requests: NodeRequests,
    private readonly dedup: DedupTable,
    private readonly expiry: Expiry,
    private readonly logger: Logger,
  ) {}

  /** Whether writes must still wait for the answers. */
  get active(): boolean {
    return this.current !== undefined;
  }

  /** Starts a fetch from the nodes ready now, which hold the epoch's first content. */
  start(): void {
    const sources = this.membership.ready.map((node) => node.id);
    this.current = { sources, waiting: new Set(['recent', 'expiries']), attempt: 0 };
    this.ask(this.current);
  }

  answered(node: NodeRecord, reply: Reply, asked: Asked): void {
    const fetch = asked.fetch;
    // The first answer of each kind counts: the source nodes hold the same content.
    if (fetch !== this.current || !fetch.waiting.delete(asked.kind)) return;
    if (fetch.waiting.size === 0) this.current = undefined;
    if (asked.kind === 'recent') this.loadRecentWrites(node, reply);
    else this.loadExpiries(node, reply);
  }

  unanswered(_nodeId: string, _why: string, asked: Asked): void {
    const fetch = asked.fetch;
    if (fetch === this.current && asked.attempt === fetch.attempt && fetch.waiting.has(asked.kind)) this.ask(fetch);
  }

  private ask(fetch: Fetch): void {
    const alive = fetch.sources.map((id) => this.membership.byNodeId(id)).filter((node) => node?.state === 'ready');
    const source = alive[fetch.attempt % Math.max(1, alive.length)];
    if (!source || fetch.attempt >= ATTEMPTS) {
      this.logger.warn(
        'no answer with recent writes or TTLs; retries of earlier writes may apply twice, and keys with a TTL may not be deleted',
        { attempts: fetch.attempt },
      );
      this.current = undefined;
      return;
    }
    const attempt = ++fetch.attempt;
    // The TTLs the previous broker was tracking live on in the nodes' entries: track them again.
    for (const kind of fetch.waiting) this.requests.ask(source, { op: kind }, this, { fetch, kind, attempt });
  }

  private loadRecentWrites(node: NodeRecord, reply: Reply): void {
    const entries = reply.ok ? jsonOf(reply.value) : undefined;
    if (!Array.isArray(entries)) {
      this.logger.warn('could not load recent writes; retries of earlier writes may apply twice', { node: node.id });
      return;
    }
    this.dedup.loadDone(entries.filter(isRecentWrite));
    this.logger.info('loaded recent writes for retry deduplication', { node: node.id, writes: entries.length });
  }

  private loadExpiries(node: NodeRecord, reply: Reply): void {
    const answer = reply.ok ? readExpiriesAnswer(jsonOf(reply.value)) : undefined;
    if (!answer) {
      this.logger.warn('could not load the keys with a TTL; they will be hidden but not deleted', { node: node.id });
      return;
    }
    this.expiry.load(answer);
    this.logger.info('loaded the keys with a TTL', { node: node.id, keys: answer.keys.length });
  }
}
