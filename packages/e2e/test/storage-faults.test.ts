import test, { type ExecutionContext } from 'ava';
import { execFileSync } from 'node:child_process';
import { appendFileSync, mkdtempSync, readdirSync, readFileSync, rmdirSync, rmSync, statSync, truncateSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { Brainer } from '@brainer/client';
import { runCli, startBroker, startNode, type ManagedProcess } from '@brainer/test-utils';
import { eventually, setMany, tempDir } from '../src/index.js';

/** Whether this host lets the test mount a tmpfs (root, outside a container that refuses it). */
function canMountTmpfs(): boolean {
  const probe = mkdtempSync(join(tmpdir(), 'brainer-mount-probe-'));
  try {
    execFileSync('mount', ['-t', 'tmpfs', '-o', 'size=64k', 'tmpfs', probe], { stdio: 'ignore' });
    execFileSync('umount', [probe], { stdio: 'ignore' });
    return true;
  } catch {
    return false;
  } finally {
    rmdirSync(probe);
  }
}

const mountable = canMountTmpfs();
if (!mountable) {
  console.warn(
    '\n*** SKIPPED: the full-disk test needs to mount a 2 MiB tmpfs, and this host refused (run it as root, outside a container that forbids mount) ***\n',
  );
}
const fullDiskTest = mountable ? test.serial : test.serial.skip;

/**
 * A broker and one node with `--fsync always` on `dataDir`, stopped when the test ends; by default
 * once the node is ready.
 */
async function startOne(
  t: ExecutionContext,
  dataDir: string,
  waitReady = true,
): Promise<{ broker: ManagedProcess; node: ManagedProcess; client: Brainer }> {
  const broker = await startBroker();
  t.teardown(() => broker.stop());
  const node = await startNode(broker.endpoint, { id: 'n1', dataDir, args: ['--fsync', 'always'] });
  t.teardown(() => node.stop());
  const client = new Brainer(broker.endpoint, { timeoutMs: 10_000 });
  t.teardown(() => client.close());
  await client.connect();
  if (waitReady) await eventually(async () => (await client.nodes().catch(() => [])).some((n) => n.state === 'ready'), 20_000, 100);
  return { broker, node, client };
}

async function killAll(...processes: ManagedProcess[]): Promise<void> {
  for (const process of processes) process.kill('SIGKILL');
  await Promise.all(processes.map((process) => process.exited));
}

fullDiskTest('a node on a full disk acknowledges nothing it could not persist, and leaves the ring', async (t) => {
  const mount = tempDir(t);
  execFileSync('mount', ['-t', 'tmpfs', '-o', 'size=2m', 'tmpfs', mount]);
  t.teardown(() => execFileSync('umount', ['-l', mount]));
  // Room to give back once the disk is full.
  writeFileSync(join(mount, 'filler'), Buffer.alloc(512 * 1024));
  const dataDir = join(mount, 'n1');
  const { broker, node, client } = await startOne(t, dataDir);

  const acknowledged: string[] = [];
  let failures = 0;
  const writers = Array.from({ length: 4 }, async (_, writer) => {
    for (let n = 0; !node.hasExited; n++) {
      const key = `w${writer}-${n}`;
      try {
        await client.set(key, `${key}:`.padEnd(1000, '.'), { wait: 'all' });
        acknowledged.push(key);
      } catch {
        failures++;
      }
    }
  });
  const exit = await node.exited;
  await Promise.all(writers);
  t.log(`${acknowledged.length} writes acknowledged, ${failures} failed`);
  t.true(acknowledged.length > 500, 'the disk filled up after many writes');
  t.is(exit.code, 1, 'the node exits non-zero');
  t.regex(node.stderr, /ERROR.*storage failed: the node acknowledges nothing more.*ERR_STORAGE/);
  await eventually(() => /node lost.*"node":"n1".*"reason":"unregistered"/.test(broker.stderr), 10_000, 100);
  t.regex(broker.stderr, /error message from a peer.*ERR_STORAGE/);

  // The disk gets room again, and the broker and the node start again from it.
  rmSync(join(mount, 'filler'));
  await killAll(broker);
  await client.close();
  const again = await startOne(t, dataDir);
  const values = await Promise.all(acknowledged.map((key) => again.client.get(key)));
  const missing = acknowledged.filter((_, i) => values[i] !== `${acknowledged[i]}:`.padEnd(1000, '.'));
  t.deepEqual(missing, [], 'every acknowledged write is there');
});

/** A node with `--fsync always` that acknowledged 10,000 writes, then killed with its broker. */
async function killedNodeWithData(t: ExecutionContext): Promise<string> {
  const dataDir = join(tempDir(t), 'n1');
  const { broker, node, client } = await startOne(t, dataDir);
  await setMany(client, 10_000, (i) => `value-${i}`);
  // The client's socket keeps this process's event loop alive until the kills are seen.
  await killAll(node, broker);
  await client.close();
  return dataDir;
}

async function checkLog(dir: string): Promise<{ code: number | null; report: Record<string, unknown> }> {
  const result = await runCli(['check-log', dir, '--json']);
  return { code: result.code, report: JSON.parse(result.stdout) as Record<string, unknown> };
}

test.serial('a log with 8 bytes flipped in the middle is kept unchanged, and the node registers as not whole', async (t) => {
  const dataDir = await killedNodeWithData(t);
  t.is((await checkLog(dataDir)).code, 0, 'check-log finds the log clean first');
  const path = join(dataDir, 'brainer.log');
  const bytes = readFileSync(path);
  const at = Math.floor(bytes.length / 2);
  for (let i = at; i < at + 8; i++) bytes[i] = bytes[i]! ^ 0xa5;
  writeFileSync(path, bytes);

  const { code, report } = await checkLog(dataDir);
  t.is(code, 4);
  t.like(report, { verdict: 'damaged', bytes: bytes.length });
  const damages = report.damages as { offset: number; recordNumber: number; goodRecordsAfter: number }[];
  t.is(damages.length, 1);
  t.true(damages[0]!.offset <= at && damages[0]!.offset > at - 2000, `the damage is found where it is (${damages[0]!.offset})`);
  t.true(damages[0]!.goodRecordsAfter > 4000, 'about half of the records follow it');
  t.is(report.recordsBeforeDamage, damages[0]!.recordNumber);
  t.deepEqual(readFileSync(path), bytes, 'check-log changed nothing');
  const out = join(tempDir(t), 'salvaged');
  const salvage = await runCli(['check-log', dataDir, '--json', '--salvage', out]);
  t.is(JSON.parse(salvage.stdout).salvaged, report.goodRecords);
  t.deepEqual(readFileSync(path), bytes, 'salvage changed nothing either');
  const salvaged = await checkLog(out);
  t.is(salvaged.code, 0, 'the salvaged log is clean');
  t.like(salvaged.report, { goodRecords: (report.goodRecords as number) + 1, position: { whole: false } });

  // On its own, with no peer: it must not take its partial data for the whole.
  const { node: restarted } = await startOne(t, dataDir, false);
  await eventually(() => /registering with data that is not whole/.test(restarted.stderr), 10_000, 100);
  const aside = readdirSync(dataDir).filter((name) => name.startsWith('brainer.log.damaged-'));
  t.is(aside.length, 1, 'the damaged log is moved aside');
  t.deepEqual(readFileSync(join(dataDir, aside[0]!)), bytes, 'byte for byte, never truncated');
  t.regex(restarted.stderr, new RegExp(`ERROR.*data log: records lost.*${aside[0]!.replace(/\./g, '\\.')}`));
  t.regex(restarted.stderr, /data log loaded .*"whole":false/);
});

const cases: { name: string; damage: (dir: string) => void; code: number; verdict: string; whole: boolean; line: RegExp }[] = [
  {
    name: 'a log cut short at its end is not whole',
    damage: (dir) => truncateSync(join(dir, 'brainer.log'), statSync(join(dir, 'brainer.log')).size - 1000),
    code: 4,
    verdict: 'cut-short',
    whole: false,
    line: /ERROR.*data log: records lost.*records were cut off/,
  },
  {
    name: 'a deleted log, with node-id still there, is not whole',
    damage: (dir) => {
      rmSync(join(dir, 'brainer.log'));
      rmSync(join(dir, 'synced-position'));
    },
    code: 4,
    verdict: 'missing',
    whole: false,
    line: /ERROR.*data log: records lost.*the log is missing/,
  },
  {
    name: 'a torn final record (a crash in the middle of an append) is cut off, and the node stays whole',
    damage: (dir) => appendFileSync(join(dir, 'brainer.log'), Buffer.from([0x30, 0, 0, 0, 1, 2, 3, 4, 5, 6, 7, 8])),
    code: 3,
    verdict: 'torn-tail',
    whole: true,
    line: /data log: cut off a torn last record/,
  },
];

for (const { name, damage, code, verdict, whole, line } of cases) {
  test.serial(name, async (t) => {
    const dataDir = await killedNodeWithData(t);
    damage(dataDir);
    const checked = await checkLog(dataDir);
    t.is(checked.code, code);
    t.like(checked.report, { verdict });
    const { node, client } = await startOne(t, dataDir, whole);
    await eventually(() => /data log loaded/.test(node.stderr), 10_000, 100);
    t.regex(node.stderr, line);
    t.regex(node.stderr, new RegExp(`data log loaded .*"whole":${whole}`));
    if (whole) {
      t.is(await client.get('k9999'), 'value-9999', 'every acknowledged write is still there');
      t.is((await client.nodes())[0]!.keys, 10_000);
    } else {
      await eventually(() => /registering with data that is not whole/.test(node.stderr), 10_000, 100);
    }
  });
}
