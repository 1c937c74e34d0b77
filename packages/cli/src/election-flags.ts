import { Flags } from '@oclif/core';
import { UsageError } from './errors.js';

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
    description:
      "With --etcd: the TTL of the leader's etcd lease, in seconds. A leader that dies keeps the cluster waiting about this long; one that cannot renew it stops acknowledging before it runs out.",
    min: 1,
    max: 600,
    default: 2,
    helpValue: '<s>',
    helpGroup: 'ELECTION',
  }),
};

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
