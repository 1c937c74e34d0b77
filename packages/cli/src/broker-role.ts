import type { Brainer } from '@brainer/client';

/** One broker as `brainer-cli brokers` shows it. */
export interface BrokerRole {
  endpoint: string;
  /** `leader` or `standby` as the broker says (a broker that names no role leads alone); `down` when it did not answer. */
  role: string;
  /** Its epoch, or null when it did not answer or gave none. */
  epoch: number | null;
  /** The leader's endpoint as this broker sees it, or null when it knows none. */
  leader: string | null;
  /** Why a broker is down. */
  error?: { code: string; message: string };
}

/** What a broker's `stats` says of its role. A broker from before standbys existed has no `role`: it leads. */
export function roleFromStats(endpoint: string, stats: Record<string, unknown>): BrokerRole {
  const role = typeof stats.role === 'string' ? stats.role : 'leader';
  const leader = typeof stats.leader === 'string' ? stats.leader : role === 'leader' ? endpoint : null;
  return { endpoint, role, epoch: typeof stats.epoch === 'number' ? stats.epoch : null, leader };
}

/**
 * Asks one broker, and only that one, for its `stats` (a standby answers them too). A broker that
 * refuses the connection, or does not answer within the client's timeout, is `down`.
 */
export async function askBrokerRole(endpoint: string, client: Pick<Brainer, 'connect' | 'stats' | 'close'>): Promise<BrokerRole> {
  try {
    await client.connect();
    return roleFromStats(endpoint, await client.stats());
  } catch (error) {
    const code = (error as { code?: unknown }).code;
    const message = error instanceof Error ? error.message : String(error);
    return {
      endpoint,
      role: 'down',
      epoch: null,
      leader: null,
      error: { code: typeof code === 'string' ? code : 'ERR_INTERNAL', message },
    };
  } finally {
    await client.close().catch(() => undefined);
  }
}

/** Table rows for `brokers`: a header, then one row per broker; ERROR only when some broker is down. */
export function brokerRows(brokers: readonly BrokerRole[]): string[][] {
  const withError = brokers.some((broker) => broker.error !== undefined);
  const header = ['ENDPOINT', 'ROLE', 'EPOCH', 'LEADER', ...(withError ? ['ERROR'] : [])];
  const rows = brokers.map((broker) => [
    broker.endpoint,
    broker.role,
    broker.epoch === null ? '-' : String(broker.epoch),
    broker.leader ?? '-',
    ...(withError ? [broker.error?.code ?? '-'] : []),
  ]);
  return [header, ...rows];
}
