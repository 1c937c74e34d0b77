import type { Brainer, WaitMode } from '@brainer/client';
import { mulberry32, uniform, zipfian } from '@brainer/loadgen';

/** The workloads of `brainer-cli bench`, in the order `--help` lists them. */
export const BENCH_WORKLOADS = ['write', 'write-primary', 'read', 'ycsb-a', 'ycsb-b', 'ycsb-c'] as const;
export type BenchWorkload = (typeof BENCH_WORKLOADS)[number];

interface WorkloadSpec {
  /** The share of ops that read (`getBuffer`); the rest write (`set`). */
  readShare: number;
  /** How the keys are drawn from the key space. */
  keys: 'uniform' | 'zipfian';
  /** What the writes wait for. */
  wait: WaitMode;
}

const SPECS: Record<BenchWorkload, WorkloadSpec> = {
  write: { readShare: 0, keys: 'uniform', wait: 'all' },
  'write-primary': { readShare: 0, keys: 'uniform', wait: 'primary' },
  read: { readShare: 1, keys: 'uniform', wait: 'primary' },
  'ycsb-a': { readShare: 0.5, keys: 'zipfian', wait: 'primary' },
  'ycsb-b': { readShare: 0.95, keys: 'zipfian', wait: 'primary' },
  'ycsb-c': { readShare: 1, keys: 'zipfian', wait: 'primary' },
};

/** Whether the workload reads, and so wants the key space loaded before it runs. */
export const workloadReads = (workload: BenchWorkload): boolean => SPECS[workload].readShare > 0;

/** Whether the workload draws zipfian keys, which needs a key space of at least 2. */
export const workloadIsZipfian = (workload: BenchWorkload): boolean => SPECS[workload].keys === 'zipfian';

export interface WorkloadContext {
  /** One client a connection. */
  clients: readonly Brainer[];
  /** Ops in flight per connection: worker w uses connection floor(w / inFlight). */
  inFlight: number;
  /** The size of the key space. */
  keys: number;
  keyName: (index: number) => string;
  value: Buffer;
  /** Seeds the key and read/write choices, so that a run can be repeated. */
  seed: number;
  /** Counts the reads that were answered, and those of them that found no value. */
  tally: ReadTally;
}

/** The reads of a run that were answered, and how many of them found no value (warmup included). */
export interface ReadTally {
  reads: number;
  misses: number;
}

/** The op one worker of the workload runs, over and over. */
export function workloadOp(workload: BenchWorkload, context: WorkloadContext): (worker: number) => Promise<unknown> {
  const { readShare, keys, wait } = SPECS[workload];
  const { tally } = context;
  const random = mulberry32(context.seed);
  const next = keys === 'zipfian' ? zipfian(context.keys, random) : uniform(context.keys, random);
  const count = (value: Buffer | null): void => {
    tally.reads++;
    if (value === null) tally.misses++;
  };
  return (worker) => {
    const client = context.clients[Math.floor(worker / context.inFlight)]!;
    const key = context.keyName(next());
    const read = readShare === 1 || (readShare > 0 && random() < readShare);
    return read ? client.getBuffer(key).then(count) : client.set(key, context.value, { wait });
  };
}

/** The key names `<prefix><index>`, the index zero-padded so that every key is as long. */
export function benchKeyName(prefix: string, keys: number): (index: number) => string {
  const width = String(Math.max(0, keys - 1)).length;
  return (index) => `${prefix}${String(index).padStart(width, '0')}`;
}
