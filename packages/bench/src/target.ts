/** One system under test, as the workloads see it: ops on numbered connections. */
export interface Target {
  readonly name: 'redis' | 'brainer';
  /** How many connections there are (the workloads use the first ones). */
  readonly connections: number;
  /** A write acknowledged by the master/primary and every replica (Redis SET + WAIT 2; Brainer wait=all). */
  replicatedSet(connection: number, key: string, value: Buffer): Promise<unknown>;
  /** A write acknowledged by the master/primary alone, replicated asynchronously (YCSB update). */
  set(connection: number, key: string, value: Buffer): Promise<unknown>;
  get(connection: number, key: string): Promise<unknown>;
  /** A read on a connection that keeps many in flight (Redis: auto-pipelined). */
  pipelinedGet(connection: number, key: string): Promise<unknown>;
  /** A replicated write by one of many callers sharing one client (Brainer: one client instance; Redis: one auto-pipelined connection). */
  sharedReplicatedSet(key: string, value: Buffer): Promise<unknown>;
  /** A read by one of many callers sharing one client, as `sharedReplicatedSet`. */
  sharedGet(key: string): Promise<unknown>;
  /** As `sharedGet`, where Brainer reads every key from the one node its client picked (`readFrom: 'any-node'`). */
  sharedGetAnyNode(key: string): Promise<unknown>;
  /** Loads keys [0, count) with `value` and waits until every replica has them. */
  preload(keyName: (i: number) => string, count: number, value: Buffer): Promise<void>;
  close(): Promise<void>;
}

export const keyName = (i: number): string => `key:${String(i).padStart(8, '0')}`;
