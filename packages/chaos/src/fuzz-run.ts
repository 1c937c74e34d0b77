import { Brainer, type VerifyResult } from '@brainer/client';
import { startBroker, startNode, waitFor, type ManagedProcess } from '@brainer/test-utils';
import type { UnexpectedExit } from './chaos-cluster.js';
import { edgeCases, randomMessage, type FuzzMessage, type FuzzTarget } from './frame-mutator.js';
import { Prng } from './prng.js';
import { RawDealer } from './raw-dealer.js';

export interface FuzzOptions {
  /** Messages to send in all, the fixed edge cases included (each sent to both targets). */
  frames: number;
  seed: number;
  /** Messages sent between two barrier pings. Default 32. */
  burst?: number;
  /** Raw DEALERs per target; each burst uses one at random. Default 3. */
  peersPerTarget?: number;
  /** How long a barrier ping may take before the target is reported as not answering, in ms. Default 15,000. */
  barrierTimeoutMs?: number;
  /** Keys written before the fuzz and read back after it. Default 100. */
  guardKeys?: number;
  /** Progress lines. Default: nowhere. */
  log?: (line: string) => void;
}

export interface FuzzChecks {
  brokerAlive: boolean;
  nodeAlive: boolean;
  /** A client `set` then `get` through the broker worked. */
  clientSetGet: boolean;
  /** The node answered a `ping` sent straight to its endpoint. */
  nodePing: boolean;
  /** Guard keys that did not read back with their value. */
  guardKeysChanged: string[];
  verify: VerifyResult | { ok: false; error: string };
}

export interface FuzzResult {
  seed: number;
  elapsedMs: number;
  /** Messages sent, and the ZeroMQ frames they made up. */
  messagesSent: number;
  framesSent: number;
  byTarget: Record<FuzzTarget, number>;
  byMutation: Record<string, number>;
  /** What came back from each target, by code (`ok` for a success) or message type. */
  received: Record<FuzzTarget, Record<string, number>>;
  /** Barrier pings that went unanswered. */
  barrierTimeouts: number;
  crashes: UnexpectedExit[];
  /** Log lines at error level: handlers that threw, and the like. */
  errorLogLines: string[];
  checks: FuzzChecks;
  /** The last messages sent to a target that died or stopped answering, as hex (cut at 256 bytes). */
  lastMessages?: { target: FuzzTarget; mutation: string; frames: string[] }[];
  ok: boolean;
}

/** Barrier ping ids: above every id the samples use. */
const BARRIER_BASE = 0xc000_0000;
const RECENT = 16;

/**
 * Starts a broker and one node, writes guard keys, then sends random and mutated messages to the
 * broker's endpoint and the node's own endpoint through raw DEALERs, in bursts, each burst closed
 * by a ping that must be answered. Afterwards it checks that both processes live and answer, that
 * the guard keys are untouched, and that `verify` passes.
 */
export async function runFuzz(options: FuzzOptions): Promise<FuzzResult> {
  const log = options.log ?? (() => undefined);
  const started = performance.now();
  const prng = new Prng(options.seed);
  const burst = options.burst ?? 32;
  const barrierTimeoutMs = options.barrierTimeoutMs ?? 15_000;
  const crashes: UnexpectedExit[] = [];
  const stopping = new Set<number>();
  const watch = (process: ManagedProcess): ManagedProcess => {
    void process.exited.then((exit) => {
      if (!stopping.has(process.pid)) {
        crashes.push({ id: process.id, pid: process.pid, exit, stderrTail: process.stderr.split('\n').slice(-30).join('\n') });
      }
    });
    return process;
  };

  log(`starting a broker and a node (seed ${options.seed})`);
  const broker = watch(await startBroker({ logLevel: 'warn' }));
  let node: ManagedProcess | undefined;
  const client = new Brainer(broker.endpoint, { timeoutMs: 5000 });
  const peers: Record<FuzzTarget, RawDealer[]> = { broker: [], node: [] };
  try {
    node = watch(await startNode(broker.endpoint, { id: 'node1', logLevel: 'warn' }));
    await client.connect();
    await waitFor(async () => (await client.nodes()).some((info) => info.state === 'ready'), {
      timeoutMs: 20_000,
      description: 'a ready node',
    });
    const guard = new Map(
      Array.from({ length: options.guardKeys ?? 100 }, (_, i) => [
        `guard:key:${String(i).padStart(4, '0')}`,
        `guard-value-${i}-${options.seed}`,
      ]),
    );
    await Promise.all([...guard].map(([key, value]) => client.set(key, value)));

    const endpoints: Record<FuzzTarget, string> = { broker: broker.endpoint, node: node.endpoint };
    for (const target of ['broker', 'node'] as const) {
      for (let i = 0; i < (options.peersPerTarget ?? 3); i++) peers[target].push(new RawDealer(endpoints[target]));
    }
    const processes: Record<FuzzTarget, ManagedProcess> = { broker, node };

    const byTarget: Record<FuzzTarget, number> = { broker: 0, node: 0 };
    const byMutation: Record<string, number> = {};
    const recent: Record<FuzzTarget, FuzzMessage[]> = { broker: [], node: [] };
    let messagesSent = 0;
    let framesSent = 0;
    let barrierTimeouts = 0;
    let barrierId = BARRIER_BASE;
    let lastMessages: FuzzResult['lastMessages'];

    const send = async (target: FuzzTarget, peer: RawDealer, message: FuzzMessage): Promise<void> => {
      await peer.send(message.frames);
      messagesSent++;
      framesSent += message.frames.length;
      byTarget[target]++;
      byMutation[message.mutation] = (byMutation[message.mutation] ?? 0) + 1;
      recent[target].push(message);
      if (recent[target].length > RECENT) recent[target].shift();
    };
    /** Waits until the peer's target has read everything sent so far; false if it did not answer. */
    const barrier = async (target: FuzzTarget, peer: RawDealer): Promise<boolean> => {
      if (await peer.ping(barrierId++, barrierTimeoutMs)) return true;
      barrierTimeouts++;
      lastMessages ??= recent[target].map((m) => ({
        target,
        mutation: m.mutation,
        frames: m.frames.slice(0, 4).map((f) => f.subarray(0, 256).toString('hex')),
      }));
      return false;
    };
    const alive = (): boolean => crashes.length === 0;

    // The fixed cases, to both targets, each target's through one peer with a barrier every few.
    const fixed = edgeCases(prng.fork('edge'));
    for (const target of ['broker', 'node'] as const) {
      const peer = peers[target][0]!;
      for (let i = 0; i < fixed.length && alive(); i++) {
        await send(target, peer, fixed[i]!);
        if (i % 8 === 7) await barrier(target, peer);
      }
      await barrier(target, peer);
    }
    log(`sent ${messagesSent} edge cases; now random messages`);

    const random = prng.fork('random');
    let nextReport = 10_000;
    while (messagesSent < options.frames && alive()) {
      const target: FuzzTarget = random.chance(0.5) ? 'broker' : 'node';
      const peer = random.pick(peers[target]);
      const count = Math.min(burst, options.frames - messagesSent);
      for (let i = 0; i < count; i++) await send(target, peer, randomMessage(random));
      await barrier(target, peer);
      if (messagesSent >= nextReport) {
        log(`${messagesSent} messages sent`);
        nextReport += 10_000;
      }
    }
    if (!alive()) {
      const dead = crashes[0]!.id === 'broker' ? 'broker' : 'node';
      lastMessages = recent[dead].map((m) => ({
        target: dead,
        mutation: m.mutation,
        frames: m.frames.slice(0, 4).map((f) => f.subarray(0, 256).toString('hex')),
      }));
    }

    log('fuzz over; checking both processes');
    await Promise.all([...peers.broker, ...peers.node].map((peer) => peer.close()));
    const checks = await checkAfterFuzz(client, processes, guard);
    const errorLogLines = [broker, node].flatMap((p) =>
      p.stderr
        .split('\n')
        .filter((line) => /^\S+ ERROR\b/.test(line))
        .map((line) => `${p.id}: ${line}`),
    );
    const received = {
      broker: Object.fromEntries(mergeCounts(peers.broker)),
      node: Object.fromEntries(mergeCounts(peers.node)),
    };
    const result: FuzzResult = {
      seed: options.seed,
      elapsedMs: Math.round(performance.now() - started),
      messagesSent,
      framesSent,
      byTarget,
      byMutation,
      received,
      barrierTimeouts,
      crashes: [...crashes],
      errorLogLines,
      checks,
      ok: false,
    };
    if (lastMessages) result.lastMessages = lastMessages;
    result.ok =
      crashes.length === 0 &&
      barrierTimeouts === 0 &&
      errorLogLines.length === 0 &&
      checks.brokerAlive &&
      checks.nodeAlive &&
      checks.clientSetGet &&
      checks.nodePing &&
      checks.guardKeysChanged.length === 0 &&
      checks.verify.ok;
    return result;
  } finally {
    for (const peer of [...peers.broker, ...peers.node]) await peer.close().catch(() => undefined);
    await client.close();
    for (const process of [node, broker]) {
      if (!process) continue;
      stopping.add(process.pid);
      await process.stop(5000);
    }
  }
}

async function checkAfterFuzz(
  client: Brainer,
  processes: Record<FuzzTarget, ManagedProcess>,
  guard: Map<string, string>,
): Promise<FuzzChecks> {
  const { broker, node } = processes;
  // Nodes that the fuzz registered (ids fz-node-*) go once they miss their heartbeats.
  await waitFor(async () => (await client.nodes()).every((info) => info.id === node.id), {
    timeoutMs: 20_000,
    description: 'only the real node listed',
  }).catch(() => undefined);
  const clientSetGet = await client
    .set('fuzz:after', 'still-here')
    .then(() => client.get('fuzz:after'))
    .then(
      (value) => value === 'still-here',
      () => false,
    );
  const direct = new RawDealer(node.endpoint);
  const nodePing = await direct.ping(0xffff_fff0, 5000).finally(() => direct.close());
  const guardKeysChanged: string[] = [];
  for (const [key, value] of guard) {
    const read = await client.get(key).catch((error: unknown) => `error ${String(error)}`);
    if (read !== value) guardKeysChanged.push(`${key}: ${JSON.stringify(read)}`);
  }
  let verify: FuzzChecks['verify'];
  try {
    verify = await client.verify(50, 100);
  } catch (error) {
    verify = { ok: false, error: String(error) };
  }
  return { brokerAlive: !broker.hasExited, nodeAlive: !node.hasExited, clientSetGet, nodePing, guardKeysChanged, verify };
}

function mergeCounts(peers: readonly RawDealer[]): Map<string, number> {
  const total = new Map<string, number>();
  for (const peer of peers) for (const [what, n] of peer.received) total.set(what, (total.get(what) ?? 0) + n);
  return new Map([...total].sort((a, b) => b[1] - a[1]));
}
