import { mulberry32, uniform, zipfian } from '@brainer/loadgen';
import { keyName, type Target } from './target.js';

export const WORKLOAD_NAMES = ['W64-one', 'R64-one', 'R64-any', 'W1', 'W8', 'W50', 'R1', 'R50', 'YCSB-A', 'YCSB-B', 'YCSB-C'] as const;
export type WorkloadName = (typeof WORKLOAD_NAMES)[number];

export interface Workload {
  name: WorkloadName;
  description: string;
  connections: number;
  /** Ops in flight per connection. */
  inFlight: number;
  /** Makes the op of one worker (worker = connection * inFlight + slot). */
  op(target: Target, keys: number, value: Buffer, seed: number): (worker: number) => Promise<unknown>;
  /**
   * Redis's other way to serve the same callers, on many connections; its better run of the two is
   * the one Brainer is held to. Only the one-client rows have it.
   */
  manyConnections?: { connections: number; op: Workload['op'] };
}

/** Picks a key, then the operation, per op. */
function keyed(
  pick: (keys: number, random: () => number) => () => number,
  run: (t: Target, c: number, key: string, read: boolean) => Promise<unknown>,
  readShare: number,
  inFlight: number,
) {
  return (target: Target, keys: number, _value: Buffer, seed: number) => {
    const random = mulberry32(seed);
    const next = pick(keys, random);
    return (worker: number) => run(target, Math.floor(worker / inFlight), keyName(next()), random() < readShare);
  };
}

const write = (connections: number): Workload => ({
  name: `W${connections}` as WorkloadName,
  description: `replicated write, ${connections} connection(s), one op in flight each (Redis SET + WAIT 2; Brainer wait=all, one client instance per connection)`,
  connections,
  inFlight: 1,
  op: (target, keys, value, seed) => {
    const next = uniform(keys, mulberry32(seed));
    return (worker) => target.replicatedSet(worker, keyName(next()), value);
  },
});

const ycsb = (name: WorkloadName, readShare: number): Workload => ({
  name,
  description: `${Math.round(readShare * 100)}% read / ${Math.round((1 - readShare) * 100)}% update, zipfian keys, 50 connections × 1 (update: Redis SET; Brainer wait=primary; one client instance per connection)`,
  connections: 50,
  inFlight: 1,
  op: (target, keys, value, seed) =>
    keyed(zipfian, (t, c, key, read) => (read ? t.get(c, key) : t.set(c, key, value)), readShare, 1)(target, keys, value, seed),
});

/** The replicated writes (Redis SET + WAIT 2, Brainer wait=all), which the raw write chain shadows. */
export const REPLICATED_WRITES: readonly Workload[] = [write(1), write(8), write(50)];

/** Callers sharing one client in the one-client rows. */
export const SHARED_CALLERS = 64;
/** Redis's many connections in the one-client rows: its best setup for replicated writes. */
export const REDIS_MANY_CONNECTIONS = 50;

/**
 * Many callers in one process sharing one client, as each system is meant to be used: Brainer's one
 * client instance (its calls of a tick go in one frame) against ioredis on one connection with
 * auto-pipelining, and for the writes also against Redis on 50 connections.
 */
export const ONE_CLIENT: readonly Workload[] = [
  {
    name: 'W64-one',
    description: `replicated write, ${SHARED_CALLERS} callers on one client (Brainer wait=all; Redis SET + WAIT 2 each, the better of one auto-pipelined connection and ${REDIS_MANY_CONNECTIONS} connections)`,
    connections: 1,
    inFlight: SHARED_CALLERS,
    op: (target, keys, value, seed) => {
      const next = uniform(keys, mulberry32(seed));
      return () => target.sharedReplicatedSet(keyName(next()), value);
    },
    manyConnections: {
      connections: REDIS_MANY_CONNECTIONS,
      op: (target, keys, value, seed) => {
        const next = uniform(keys, mulberry32(seed));
        return (worker) => target.replicatedSet(worker % REDIS_MANY_CONNECTIONS, keyName(next()), value);
      },
    },
  },
  {
    name: 'R64-one',
    description: `read, ${SHARED_CALLERS} callers on one client (Brainer direct reads; Redis GET on one auto-pipelined connection)`,
    connections: 1,
    inFlight: SHARED_CALLERS,
    op: (target, keys, _value, seed) => {
      const next = uniform(keys, mulberry32(seed));
      return () => target.sharedGet(keyName(next()));
    },
  },
  {
    name: 'R64-any',
    description: `read, ${SHARED_CALLERS} callers on one client (Brainer direct reads with readFrom 'any-node': every read to the one node the client picked; read-your-acknowledged-writes for wait=all only; Redis GET on one auto-pipelined connection)`,
    connections: 1,
    inFlight: SHARED_CALLERS,
    op: (target, keys, _value, seed) => {
      const next = uniform(keys, mulberry32(seed));
      return () => target.sharedGetAnyNode(keyName(next()));
    },
  },
];

export const WORKLOADS: readonly Workload[] = [
  ...ONE_CLIENT,
  ...REPLICATED_WRITES,
  {
    name: 'R1',
    description: 'synchronous read, 1 connection',
    connections: 1,
    inFlight: 1,
    op: (target, keys, value, seed) => keyed(uniform, (t, c, key) => t.get(c, key), 1, 1)(target, keys, value, seed),
  },
  {
    name: 'R50',
    description: 'read, 50 connections × 16 in flight (Redis auto-pipelined GET; Brainer one client instance per connection)',
    connections: 50,
    inFlight: 16,
    op: (target, keys, value, seed) => keyed(uniform, (t, c, key) => t.pipelinedGet(c, key), 1, 16)(target, keys, value, seed),
  },
  ycsb('YCSB-A', 0.5),
  ycsb('YCSB-B', 0.95),
  ycsb('YCSB-C', 1),
];
