import { execFile } from 'node:child_process';
import { mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { promisify } from 'node:util';
import test from 'ava';
import { startCluster } from '@brainer/test-utils';

// Issue 16 item 9: the packages a user installs work outside the repository. Their tarballs go into
// a new app in a temporary directory, installed from npm's cache alone (--offline: no registry),
// and the app type-checks and talks to a live cluster.
const run = promisify(execFile);
const PACKAGES = fileURLToPath(new URL('../../../', import.meta.url));
const USER_PACKAGES = ['protocol', 'transport', 'client'];

interface LockEntry {
  version: string;
  dependencies?: Record<string, string>;
}

/**
 * Tarball addresses of `names` and everything they depend on, at the versions the workspace's lock
 * file holds. `npm ci` fetched exactly these, so npm's cache answers them with no registry; a bare
 * `name@version` would need the registry's package list, which `npm ci` never fetches.
 */
async function cachedTarballs(names: readonly string[]): Promise<string[]> {
  const lock = JSON.parse(readFileSync(join(PACKAGES, '../package-lock.json'), 'utf8')) as { packages: Record<string, LockEntry> };
  const registry = (await run('npm', ['config', 'get', 'registry'])).stdout.trim().replace(/\/?$/, '/');
  const seen = new Map<string, string>();
  const visit = (name: string): void => {
    const entry = lock.packages[`node_modules/${name}`];
    if (!entry || seen.has(name)) return;
    seen.set(name, `${registry}${name}/-/${name.split('/').at(-1)!}-${entry.version}.tgz`);
    for (const dependency of Object.keys(entry.dependencies ?? {})) visit(dependency);
  };
  for (const name of names) visit(name);
  return [...seen.values()];
}

async function pack(name: string, into: string): Promise<string> {
  const { stdout } = await run('npm', ['pack', '--pack-destination', into], { cwd: join(PACKAGES, name) });
  return join(into, stdout.trim().split('\n').at(-1)!);
}

const TYPED_APP = `import { Brainer, RemoteError, type NodeInfo } from '@brainer/client';

const client = new Brainer(process.argv[2] ?? 'tcp://127.0.0.1:5555', { timeoutMs: 5000 });
await client.set('typed', 'yes', { ttlMs: 60_000 });
const value: string | null = await client.get('typed');
const left: number = await client.pttl('typed');
const nodes: NodeInfo[] = await client.nodes();
const failure: unknown = new RemoteError('ERR_BAD_KEY', 'x');
console.log(value, left, nodes.length, failure instanceof RemoteError);
await client.close();
`;

const PLAIN_APP = `import { Brainer } from '@brainer/client';

const client = new Brainer(process.argv[2], { timeoutMs: 10_000 });
await client.connect();
await client.set('outside', 'works');
await client.expire('outside', 60_000);
const answer = { value: await client.get('outside'), ttl: await client.ttl('outside'), verify: (await client.verify()).ok };
console.log(JSON.stringify(answer));
await client.close();
`;

test('the client, protocol and transport tarballs install offline into an app outside the repository, which type-checks and uses a live cluster', async (t) => {
  t.timeout(300_000);
  const work = mkdtempSync(join(tmpdir(), 'brainer-install-'));
  t.teardown(() => rmSync(work, { recursive: true, force: true }));
  const app = join(work, 'app');
  const tarballs = await Promise.all(USER_PACKAGES.map((name) => pack(name, work)));

  mkdirSync(app);
  writeFileSync(join(app, 'package.json'), JSON.stringify({ name: 'brainer-user-app', private: true, type: 'module' }));
  writeFileSync(
    join(app, 'tsconfig.json'),
    JSON.stringify({
      compilerOptions: { module: 'nodenext', target: 'es2022', strict: true, noEmit: true, types: ['node'] },
      files: ['typed.ts'],
    }),
  );
  writeFileSync(join(app, 'typed.ts'), TYPED_APP);
  writeFileSync(join(app, 'plain.mjs'), PLAIN_APP);
  // The client's types use Buffer: an app in TypeScript needs @types/node, as its README says.
  const fromCache = await cachedTarballs(['zeromq', 'typescript', '@types/node']);
  await run('npm', ['install', '--offline', '--no-audit', '--no-fund', ...tarballs, ...fromCache], { cwd: app, timeout: 240_000 });

  const checked = await run(join(app, 'node_modules/.bin/tsc'), ['-p', '.'], { cwd: app }).then(
    () => 'ok',
    (error: { stdout?: string }) => error.stdout ?? String(error),
  );
  t.is(checked, 'ok');

  const cluster = await startCluster({ nodes: 2 });
  t.teardown(() => cluster.stop());
  const { stdout } = await run(process.execPath, ['plain.mjs', cluster.endpoint], { cwd: app, timeout: 30_000 });
  t.deepEqual(JSON.parse(stdout), { value: 'works', ttl: 60, verify: true });
});
