import { mkdir, writeFile } from 'node:fs/promises';
import { cpus } from 'node:os';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';

/** bench/results at the repo root (git-ignored). */
export const RESULTS_DIR = join(dirname(fileURLToPath(import.meta.url)), '..', '..', '..', '..', 'bench', 'results');

/** Writes a run's figures as JSON and returns the file's path. */
export async function saveResults(name: string, figures: Record<string, unknown>): Promise<string> {
  await mkdir(RESULTS_DIR, { recursive: true });
  const file = join(RESULTS_DIR, `${name}-${new Date().toISOString().replace(/[:.]/g, '-')}.json`);
  const machine = { node: process.version, cpus: cpus().length, cpu: cpus()[0]?.model };
  await writeFile(file, `${JSON.stringify({ name, at: new Date().toISOString(), machine, ...figures }, null, 2)}\n`);
  return file;
}
