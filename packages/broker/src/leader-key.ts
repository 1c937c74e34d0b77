/**
 * What the leader key `/brainer/<cluster>/leader` holds, as JSON (PROTOCOL.md 5.17): the leader's
 * endpoint, how long a read lease it granted can outlast its etcd lease, and the nodes that were
 * ready under it. A broker elected after it reads all three: where clients went, how long to hold
 * acknowledgements, and whose registrations to wait for before it starts its epoch.
 */
export interface LeaderValue {
  endpoint: string;
  /** How long after etcd may expire the leader's lease a read lease it granted may still run, in ms. */
  readLeaseOverhangMs?: number;
  /** The ids of the nodes ready under the leader, as it last wrote them. */
  nodes?: string[];
}

export function encodeLeaderValue(value: LeaderValue): string {
  return JSON.stringify(value);
}

/** The leader key's value; a bare endpoint (written by another tool) says nothing of leases or nodes. */
export function parseLeaderValue(raw: string): LeaderValue {
  let parsed: unknown;
  try {
    parsed = JSON.parse(raw);
  } catch {
    return { endpoint: raw };
  }
  if (typeof parsed !== 'object' || parsed === null || typeof (parsed as LeaderValue).endpoint !== 'string') return { endpoint: raw };
  const { endpoint, readLeaseOverhangMs, nodes } = parsed as Record<string, unknown>;
  const value: LeaderValue = { endpoint: endpoint as string };
  if (typeof readLeaseOverhangMs === 'number' && Number.isFinite(readLeaseOverhangMs) && readLeaseOverhangMs >= 0) {
    value.readLeaseOverhangMs = readLeaseOverhangMs;
  }
  if (Array.isArray(nodes) && nodes.every((id) => typeof id === 'string')) value.nodes = nodes as string[];
  return value;
}
