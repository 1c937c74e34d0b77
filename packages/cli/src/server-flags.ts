import { DEFAULT_LIMITS, type Limits } from '@brainer/protocol';
import { Flags } from '@oclif/core';

const integer = (description: string, min = 1) => Flags.integer({ description, min, helpGroup: 'TUNING' });

/** Size limits, taken by both run-broker and run-node. Defaults are the libraries'. */
export const limitFlags = {
  'max-key-bytes': integer('Largest key accepted, in bytes of UTF-8. Default 65536 (64 KiB).'),
  'max-value-bytes': integer('Largest value accepted, in bytes. Default 16777216 (16 MiB).', 0),
  'max-batch-ops': integer('Most ops in one request frame. Default 100000.'),
  'max-frame-bytes': integer(
    'Largest request frame accepted from a client, in bytes (ERR_FRAME_TOO_LARGE past it). Default 67108864 (64 MiB).',
    1024,
  ),
};

/** run-broker's tuning flags, beyond --endpoint and --heartbeat-ms. */
export const brokerTuningFlags = {
  'heartbeat-liveness': integer('Heartbeats a node may miss before it is dropped. Default 3.', 2),
  'lease-ms': integer('How long a heartbeat answer lets a node serve direct reads, in ms. Default 2 x --heartbeat-ms.'),
  'startup-wait-ms': integer(
    'How long a starting broker waits for the nodes to register before it starts from the most advanced, in ms; at least --lease-ms. Default --lease-ms.',
  ),
  'read-timeout-ms': integer('How long a node has to answer a read before the next one is tried, in ms. Default 1000.'),
  'backlog-writes': integer('Most recent writes kept for nodes that come back to catch up from (a partial resync). Default 1000000.', 0),
  'backlog-bytes': integer('Most bytes of recent writes kept for partial resyncs. Default 67108864 (64 MiB).', 0),
  'accept-data-loss': Flags.boolean({
    description:
      'When no node whose data is whole is present, start from the most advanced node that is not whole (a joiner cut off mid-join, a node whose log was damaged) instead of waiting for a whole one, losing the acknowledged writes it lacks. The loss is logged as an error, and nodes and verify flag it. Off by default: the cluster answers ERR_NOT_READY and waits.',
    helpGroup: 'RECOVERY',
  }),
  ...limitFlags,
};

/** run-node's tuning flags, for the snapshot join. */
export const nodeTuningFlags = {
  'snapshot-chunk-entries': integer('Entries in one snapshot chunk this node sends. Default 2000.'),
  'snapshot-credit': integer('Snapshot chunks this node lets its source send ahead while it joins. Default 8.'),
  'snapshot-timeout-ms': integer('How long a joining node waits for the next snapshot message, in ms. Default 5000.', 10),
  'broker-silence-ms': integer(
    'How long the broker may stay silent before this node reconnects and registers again, in ms; a shorter silence (a paused broker) keeps it in the cluster. Default 10000.',
    10,
  ),
  'join-buffer-writes': integer('Most writes a joining node buffers; past it the join restarts. Default 1000000.'),
  'join-buffer-bytes': integer('Most bytes of buffered writes while joining. Default 268435456 (256 MiB).'),
  'max-reply-bytes': integer(
    'Largest bucket answer, in bytes of item names and values (ERR_REPLY_TOO_LARGE past it). Default 67108864 (64 MiB).',
  ),
  ...limitFlags,
};

/** The limits from the flags, or undefined when none was given (the library's defaults apply). */
export function limitsFromFlags(flags: {
  'max-key-bytes'?: number;
  'max-value-bytes'?: number;
  'max-batch-ops'?: number;
  'max-frame-bytes'?: number;
}): Limits | undefined {
  const given = definedOnly({
    maxKeyBytes: flags['max-key-bytes'],
    maxValueBytes: flags['max-value-bytes'],
    maxBatchOps: flags['max-batch-ops'],
    maxFrameBytes: flags['max-frame-bytes'],
  });
  return Object.keys(given).length === 0 ? undefined : { ...DEFAULT_LIMITS, ...given };
}

/** A copy without the undefined entries, so that a library's default applies where no flag was given. */
export function definedOnly<T extends Record<string, unknown>>(values: T): Partial<{ [K in keyof T]: Exclude<T[K], undefined> }> {
  return Object.fromEntries(Object.entries(values).filter(([, v]) => v !== undefined)) as Partial<{
    [K in keyof T]: Exclude<T[K], undefined>;
  }>;
}
