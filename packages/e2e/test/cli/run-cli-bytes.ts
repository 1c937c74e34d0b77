import { spawn } from 'node:child_process';
import { setTimeout as delay } from 'node:timers/promises';
import { binPath } from '@brainer/test-utils';

export interface BytesResult {
  code: number | null;
  stdout: Buffer;
  stderr: string;
}

export interface RunCliBytesOptions {
  /**
   * Standard input: bytes written at once, or a function that writes to it (and ends it) at its
   * own pace. Without it, standard input is a pipe that is never written and never closed, so a
   * command that reads it would never end.
   */
  stdin?: Buffer | string | ((stdin: NodeJS.WritableStream) => Promise<void>);
  /** Pause after each chunk read from stdout, as a slow consumer of a pipe would. */
  slowReader?: boolean;
  /** Close the read end of stdout after the first chunk, as `| head -c 1` does. */
  closeStdoutEarly?: boolean;
  /** Kill the command and reject after this many milliseconds. Default 60,000. */
  timeoutMs?: number;
}

/** Runs `brainer-cli` with stdin and stdout as pipes; stdout comes back as bytes. */
export async function runCliBytes(args: readonly string[], options: RunCliBytesOptions = {}): Promise<BytesResult> {
  const env = { ...process.env };
  delete env.BRAINER_BROKER;
  const child = spawn(process.execPath, [binPath('brainer-cli'), ...args], { env, stdio: ['pipe', 'pipe', 'pipe'] });
  const chunks: Buffer[] = [];
  let stderr = '';
  child.stderr.setEncoding('utf8').on('data', (chunk: string) => (stderr += chunk));
  child.stdin.on('error', () => undefined);
  const { stdin } = options;
  if (typeof stdin === 'function') void stdin(child.stdin);
  else if (stdin !== undefined) child.stdin.end(stdin);
  const reading =
    options.closeStdoutEarly === true
      ? readFirst(child.stdout, chunks)
      : options.slowReader === true
        ? readSlowly(child.stdout, chunks)
        : readAll(child.stdout, chunks);
  const timeoutMs = options.timeoutMs ?? 60_000;
  const exited = new Promise<number | null>((resolve, reject) => {
    const timer = setTimeout(() => {
      child.kill('SIGKILL');
      reject(new Error(`brainer-cli ${args.join(' ')} did not finish within ${timeoutMs} ms; stderr: ${stderr}`));
    }, timeoutMs);
    child.once('error', reject);
    child.once('close', (code) => {
      clearTimeout(timer);
      resolve(code);
    });
  });
  const [code] = await Promise.all([exited, reading]);
  return { code, stdout: Buffer.concat(chunks), stderr };
}

function readAll(stream: NodeJS.ReadableStream, chunks: Buffer[]): Promise<void> {
  return new Promise((resolve) => {
    stream.on('data', (chunk: Buffer) => chunks.push(chunk));
    stream.once('end', resolve);
  });
}

async function readSlowly(stream: NodeJS.ReadableStream, chunks: Buffer[]): Promise<void> {
  for await (const chunk of stream) {
    chunks.push(chunk as Buffer);
    await delay(10);
  }
}

function readFirst(stream: NodeJS.ReadableStream & { destroy(): void }, chunks: Buffer[]): Promise<void> {
  return new Promise((resolve) => {
    stream.once('data', (chunk: Buffer) => {
      chunks.push(chunk);
      stream.destroy();
      resolve();
    });
  });
}
