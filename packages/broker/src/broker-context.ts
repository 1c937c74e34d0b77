import type { Logger, RateLimitedLog } from '@brainer/protocol';
import type { Subject } from 'rxjs';
import type { AckTracker } from './ack-tracker.js';
import type { BrokerEvent } from './events.js';
import type { BrokerLifecycle } from './lifecycle.js';
import type { Membership } from './membership.js';
import type { NodeRequests } from './node-requests.js';
import type { BrokerOptions } from './options.js';
import type { Outbox } from './outbox.js';
import type { BrokerPorts } from './ports.js';
import type { ReplicationLog } from './replication-log.js';

/** What every part of the broker core shares: its settings, its state and its way out. */
export interface BrokerContext {
  readonly options: BrokerOptions;
  readonly logger: Logger;
  readonly now: () => number;
  readonly ports: BrokerPorts;
  readonly events: Subject<BrokerEvent>;
  readonly lifecycle: BrokerLifecycle;
  readonly membership: Membership;
  readonly outbox: Outbox;
  readonly log: ReplicationLog;
  readonly acks: AckTracker;
  readonly requests: NodeRequests;
  /** Errors that repeat while the cluster waits for a whole node, or keeps a node out: logged at most every 5 s each. */
  readonly alarms: RateLimitedLog;
  /** Asks to re-check pending writes when the next lease fence or the start-up wait lifts. */
  wakeAcksLater(): void;
}
