import { mkdir, writeFile } from 'node:fs/promises';
import { cpus } from 'node:os';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';

/** bench/results at the repo root (git-ignored). */
export const RESULTS_DIR = join(dirname(fileURLToPath(import.meta.url)), '..', '..', '..', '..', 'bench', 'results');

/** Writes a run's figures as JSON under bench/results and returns the file's path. */
export async function saveResults(name: string, figures: object): Promise<string> {
  await mkdir(RESULTS_DIR, { recursive: true });
  const at = new Date().toISOString();
  const file = join(RESULTS_DIR, `${name}-${at.replace(/[:.]/g, '-')}.json`);
  const machine = { node: process.version, cpus: cpus().length, cpu: cpus()[0]?.model };
  await writeFile(file, `${JSON.stringify({ name, at, machine, ...figures }, null, 2)}\n`);
  return file;
}
