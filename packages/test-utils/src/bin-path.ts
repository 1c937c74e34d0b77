import { createRequire } from 'node:module';
import { dirname, join } from 'node:path';

export type BinName = 'run-broker' | 'run-node' | 'run-gateway' | 'brainer-cli';

const require = createRequire(import.meta.url);

/** The absolute path of one of @brainer/cli's bin scripts, found through its package.json. */
export function binPath(name: BinName): string {
  const pkgJson = require.resolve('@brainer/cli/package.json');
  const pkg = require(pkgJson) as { bin?: Record<string, string> };
  const relative = pkg.bin?.[name];
  if (relative === undefined) throw new Error(`@brainer/cli has no bin named ${name}`);
  return join(dirname(pkgJson), relative);
}
