import { Flags } from '@oclif/core';
import { brokerListFlag } from './broker-list-flag.js';
import { UsageError } from './errors.js';

/** The leader's etcd lease TTL, in seconds, unless `--lease-ttl` says otherwise. */
export const DEFAULT_LEASE_TTL_S = 2;

/** The `--lease-ttl` flag's description, for run-broker and for cluster, which passes it on. */
export const LEASE_TTL_DESCRIPTION =
  "the TTL of the leader's etcd lease, in seconds. A leader that dies keeps the cluster waiting about this long; one that cannot renew it stops acknowledging before it runs out.";

/** run-broker's flags for standby brokers elected on etcd (PROTOCOL.md 5.17). */
export const electionFlags = {
  etcd: Flags.string({
    description:
      "etcd's client URLs, comma-separated (http://127.0.0.1:2379). The broker then campaigns for leadership: it serves while it leads, and stands by otherwise, answering ERR_NOT_LEADER with the leader's endpoint. Without it, the broker leads alone.",
    helpValue: '<url,url>',
    helpGroup: 'ELECTION',
  }),
  cluster: Flags.string({
    description: 'With --etcd: the name the brokers of one cluster campaign under.',
    default: 'brainer',
    helpGroup: 'ELECTION',
  }),
  'lease-ttl': Flags.integer({
    description: `With --etcd: ${LEASE_TTL_DESCRIPTION}`,
    min: 1,
    max: 600,
    default: DEFAULT_LEASE_TTL_S,
    helpValue: '<s>',
    helpGroup: 'ELECTION',
  }),
  peers: brokerListFlag({
    description:
      "With --etcd: the other brokers' client endpoints, comma-separated (E2,E3). The gateway that --http or --json-endpoint starts is given them after this broker's own endpoint, so that its client follows the leader among them all, as any client given the whole list does.",
    dependsOn: ['etcd'],
    helpGroup: 'ELECTION',
  }),
};

/**
 * The brokers a gateway run by this broker is given: this broker's own bound endpoint first, then
 * its `--peers` (with `--etcd` only; without it the broker leads alone).
 */
export function gatewayBrokerList(endpoint: string, flags: { etcd?: string; peers?: string }): string[] {
  if (flags.etcd === undefined || flags.peers === undefined) return [endpoint];
  return [endpoint, ...flags.peers.split(',').filter((peer) => peer !== endpoint)];
}

/** The broker's election options from the flags: none without --etcd. */
export function electionOptionsFromFlags(flags: { etcd?: string; cluster: string; 'lease-ttl': number }): {
  etcd?: string[];
  cluster?: string;
  electionTtlS?: number;
} {
  if (flags.etcd === undefined) return {};
  const etcd = flags.etcd
    .split(',')
    .map((url) => url.trim())
    .filter((url) => url !== '');
  for (const url of etcd) {
    if (!/^https?:\/\/[^\s/]+$/.test(url))
      throw new UsageError(`--etcd takes URLs such as http://127.0.0.1:2379, got ${JSON.stringify(url)}`);
  }
  if (etcd.length === 0) throw new UsageError('--etcd needs at least one URL, such as http://127.0.0.1:2379');
  if (!/^[A-Za-z0-9._-]{1,64}$/.test(flags.cluster)) {
    throw new UsageError('--cluster takes 1 to 64 letters, digits, dots, dashes or underscores');
  }
  return { etcd, cluster: flags.cluster, electionTtlS: flags['lease-ttl'] };
}
