import { spawn } from 'node:child_process';
import { binPath, type BinName } from './bin-path.js';
import { IP_BIN } from './network-lab.js';
import { parseReadyLine, type ReadyEvent } from '@brainer/protocol';

export interface ExitInfo {
  code: number | null;
  signal: NodeJS.Signals | null;
}

export interface SpawnReadyOptions {
  /** Extra environment variables, on top of this process's. */
  env?: NodeJS.ProcessEnv;
  /** Milliseconds to wait for the ready line before killing the process and rejecting. Default 20,000. */
  readyTimeoutMs?: number;
  /**
   * Runs the process in this network namespace (`ip netns exec NAME ...`, which needs root). `ip`
   * execs the program in its own place, so the PID, signals and IPC channel are the program's.
   * Default: this process's namespace.
   */
  netns?: string;
}

/** A broker or node started from its bin, once it has printed its ready line. */
export interface ManagedProcess {
  /** The bin, or for another program (a node in another language), the name it was started under. */
  readonly bin: string;
  readonly pid: number;
  /** The bound endpoint from the ready line (a `*` port resolved). */
  readonly endpoint: string;
  /** The node id, or `broker` for a broker. */
  readonly id: string;
  readonly readyLine: ReadyEvent;
  /** Everything the process printed on stdout so far. */
  readonly stdout: string;
  /** Everything the process printed on stderr so far (its logs). */
  readonly stderr: string;
  /** Resolves when the process has exited. */
  readonly exited: Promise<ExitInfo>;
  /** Whether the process has exited. */
  readonly hasExited: boolean;
  /** Sends a signal (default SIGTERM) and returns at once. */
  kill(signal?: NodeJS.Signals): void;
  /** Sends SIGTERM and waits for the exit; SIGKILL after `graceMs` (default 10,000). */
  stop(graceMs?: number): Promise<ExitInfo>;
}

/**
 * Runs one of the CLI's bins with this Node and resolves once it prints its JSON ready line. No
 * sleeping: if the line does not come within the timeout, or the process exits first, the process
 * is killed and the promise rejects with everything it printed. The child gets an IPC channel, so
 * it shuts itself down if the test process dies without stopping it.
 */
export function spawnReady(bin: BinName, args: readonly string[], options: SpawnReadyOptions = {}): Promise<ManagedProcess> {
  return spawnProgramReady({ name: bin, command: process.execPath, leadingArgs: [binPath(bin)] }, args, options);
}

/** A program that prints the ready line, such as a node written in another language. */
export interface Program {
  /** What errors and `ManagedProcess.bin` call it. */
  name: string;
  /** The executable. */
  command: string;
  /** Arguments before `args`, such as the script an interpreter runs. */
  leadingArgs?: readonly string[];
}

/** `spawnReady` for any program. */
export function spawnProgramReady(program: Program, args: readonly string[], options: SpawnReadyOptions = {}): Promise<ManagedProcess> {
  const bin = program.name;
  const readyTimeoutMs = options.readyTimeoutMs ?? 20_000;
  const command = [program.command, ...(program.leadingArgs ?? []), ...args];
  const inNetns = options.netns === undefined ? command : [IP_BIN, 'netns', 'exec', options.netns, ...command];
  const child = spawn(inNetns[0]!, inNetns.slice(1), {
    env: { ...process.env, ...options.env },
    stdio: ['ignore', 'pipe', 'pipe', 'ipc'],
  });
  let stdout = '';
  let stderr = '';
  let hasExited = false;
  const exited = new Promise<ExitInfo>((resolve) => {
    child.once('exit', (code, signal) => {
      hasExited = true;
      resolve({ code, signal });
    });
  });
  // Never let the channel or the pipes keep the test process alive.
  child.channel?.unref();
  child.unref();

  return new Promise<ManagedProcess>((resolve, reject) => {
    let pending = '';
    let settled = false;
    const describe = (why: string): Error =>
      new Error(`${bin} ${args.join(' ')}: ${why}\n--- stdout ---\n${stdout}\n--- stderr ---\n${stderr}`);
    const fail = (why: string): void => {
      if (settled) return;
      settled = true;
      clearTimeout(timer);
      if (!hasExited) child.kill('SIGKILL');
      reject(describe(why));
    };
    const timer = setTimeout(() => fail(`no ready line within ${readyTimeoutMs} ms`), readyTimeoutMs);

    child.stdout?.setEncoding('utf8').on('data', (chunk: string) => {
      stdout += chunk;
      if (settled) return;
      pending += chunk;
      const lines = pending.split('\n');
      pending = lines.pop() ?? '';
      for (const line of lines) {
        const readyLine = parseReadyLine(line);
        if (readyLine === undefined) continue;
        settled = true;
        clearTimeout(timer);
        resolve(managed(readyLine));
        return;
      }
    });
    child.stderr?.setEncoding('utf8').on('data', (chunk: string) => (stderr += chunk));
    child.once('error', (err) => fail(`could not start: ${err.message}`));
    void exited.then(({ code, signal }) => fail(`exited before it was ready (${signal ?? `code ${String(code)}`})`));
  });

  function managed(readyLine: ReadyEvent): ManagedProcess {
    const kill = (signal: NodeJS.Signals = 'SIGTERM'): void => {
      if (!hasExited) child.kill(signal);
    };
    return {
      bin,
      pid: child.pid ?? readyLine.pid,
      endpoint: readyLine.endpoint,
      id: readyLine.id ?? readyLine.role,
      readyLine,
      get stdout() {
        return stdout;
      },
      get stderr() {
        return stderr;
      },
      exited,
      get hasExited() {
        return hasExited;
      },
      kill,
      async stop(graceMs = 10_000) {
        if (hasExited) return exited;
        kill('SIGTERM');
        const timer = setTimeout(() => kill('SIGKILL'), graceMs);
        try {
          return await exited;
        } finally {
          clearTimeout(timer);
        }
      },
    };
  }
}
