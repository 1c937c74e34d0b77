import { mkdir, writeFile } from 'node:fs/promises';
import { cpus, loadavg } from 'node:os';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';

/** bench/results at the repo root (git-ignored). */
export const RESULTS_DIR = join(dirname(fileURLToPath(import.meta.url)), '..', '..', '..', '..', 'bench', 'results');

/**
 * Saves the figures of the script `script` (its name in dist/src), with the command that ran it and
 * the host's load, and prints where they went.
 */
export async function printResults(script: string, figures: Record<string, unknown>): Promise<void> {
  const file = await saveResults(script, {
    command: `node packages/bench/dist/src/${script}.js ${process.argv.slice(2).join(' ')}`.trim(),
    host: { loadavg: loadavg(), cpus: cpus().length },
    ...figures,
  });
  console.log(`results: ${file}`);
}

/** Writes a run's figures as JSON and returns the file's path. */
export async function saveResults(name: string, figures: Record<string, unknown>): Promise<string> {
  await mkdir(RESULTS_DIR, { recursive: true });
  const file = join(RESULTS_DIR, `${name}-${new Date().toISOString().replace(/[:.]/g, '-')}.json`);
  const machine = { node: process.version, cpus: cpus().length, cpu: cpus()[0]?.model };
  await writeFile(file, `${JSON.stringify({ name, at: new Date().toISOString(), machine, ...figures }, null, 2)}\n`);
  return file;
}
