import { runCli } from './run-cli.js';

/** A key pair that `brainer-cli keygen` wrote. */
export interface KeyFiles {
  name: string;
  publicKey: string;
  /** NAME.pub: the public key under a comment. */
  publicKeyFile: string;
  /** NAME.key: the key pair, mode 0600. */
  secretKeyFile: string;
}

/** Runs the real `brainer-cli keygen --out dir --name name` and returns what it wrote. */
export async function keygen(dir: string, name: string): Promise<KeyFiles> {
  const result = await runCli(['keygen', '--out', dir, '--name', name, '--json']);
  if (result.code !== 0) throw new Error(`brainer-cli keygen failed (${String(result.code)}): ${result.stderr}`);
  return JSON.parse(result.stdout) as KeyFiles;
}
