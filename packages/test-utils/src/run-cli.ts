import { spawn } from 'node:child_process';
import { binPath, type BinName } from './bin-path.js';

export interface RunCliOptions {
  /**
   * Environment variables on top of this process's. BRAINER_BROKER is not inherited, so that a
   * developer's shell does not change what a test runs; pass it here to set it.
   */
  env?: NodeJS.ProcessEnv;
  /** Kill the command and reject after this many milliseconds. Default 30,000. */
  timeoutMs?: number;
}

export interface CliResult {
  /** The exit code, or null when a signal ended it. */
  code: number | null;
  signal: NodeJS.Signals | null;
  stdout: string;
  stderr: string;
}

/** Runs a bin to completion (by default `brainer-cli`) and returns its exit code and output. */
export function runBin(bin: BinName, args: readonly string[], options: RunCliOptions = {}): Promise<CliResult> {
  const timeoutMs = options.timeoutMs ?? 30_000;
  const inherited = { ...process.env };
  delete inherited.BRAINER_BROKER;
  const child = spawn(process.execPath, [binPath(bin), ...args], {
    env: { ...inherited, ...options.env },
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  let stdout = '';
  let stderr = '';
  child.stdout.setEncoding('utf8').on('data', (chunk: string) => (stdout += chunk));
  child.stderr.setEncoding('utf8').on('data', (chunk: string) => (stderr += chunk));
  return new Promise((resolve, reject) => {
    const timer = setTimeout(() => {
      child.kill('SIGKILL');
      reject(
        new Error(`${bin} ${args.join(' ')} did not finish within ${timeoutMs} ms\n--- stdout ---\n${stdout}\n--- stderr ---\n${stderr}`),
      );
    }, timeoutMs);
    child.once('error', (err) => {
      clearTimeout(timer);
      reject(err);
    });
    child.once('close', (code, signal) => {
      clearTimeout(timer);
      resolve({ code, signal, stdout, stderr });
    });
  });
}

/** Runs `brainer-cli` with these arguments and returns its exit code and output. */
export function runCli(args: readonly string[], options: RunCliOptions = {}): Promise<CliResult> {
  return runBin('brainer-cli', args, options);
}
