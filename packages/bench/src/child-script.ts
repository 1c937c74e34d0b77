import { spawn, type ChildProcess } from 'node:child_process';
import { fileURLToPath } from 'node:url';

/**
 * Runs one of this package's scripts (`./<name>.js`) in a child process with an IPC channel, so
 * that it can exit when this process goes away. Its stdout is piped, for `waitForLine`.
 */
export function spawnScript(name: string, args: readonly string[] = []): ChildProcess {
  const script = fileURLToPath(new URL(`./${name}.js`, import.meta.url));
  return spawn(process.execPath, [script, ...args], { stdio: ['ignore', 'pipe', 'inherit', 'ipc'] });
}

/**
 * Resolves with the first line that `child` prints on stdout from now on and that `matches`
 * (trimmed). Rejects if the child exits first, or after `timeoutMs`.
 */
export function waitForLine(
  child: ChildProcess,
  what: string,
  matches: (line: string) => boolean = () => true,
  timeoutMs = 20_000,
): Promise<string> {
  return new Promise((resolve, reject) => {
    let pending = '';
    const onData = (chunk: Buffer): void => {
      pending += chunk.toString();
      const lines = pending.split('\n');
      pending = lines.pop() ?? '';
      const line = lines.map((l) => l.trim()).find(matches);
      if (line !== undefined) settle(() => resolve(line));
    };
    const onExit = (code: number | null): void => settle(() => reject(new Error(`${what} exited (${code}) before its line`)));
    const onError = (err: Error): void => settle(() => reject(err));
    const timer = setTimeout(() => settle(() => reject(new Error(`${what}: no line within ${timeoutMs} ms`))), timeoutMs);
    const settle = (outcome: () => void): void => {
      clearTimeout(timer);
      child.stdout?.off('data', onData);
      child.off('exit', onExit);
      child.off('error', onError);
      outcome();
    };
    child.stdout?.on('data', onData);
    child.once('exit', onExit);
    child.once('error', onError);
  });
}
