import { spawn, type ChildProcess } from 'node:child_process';
import { createInterface } from 'node:readline';
import { parseReadyLine, type ReadyEvent } from '@brainer/protocol';

export interface SupervisedChildOptions {
  /** Short name put in front of every output line, such as `broker` or `node1`. */
  name: string;
  /** The prefix as printed (the name, padded and colored). */
  prefix: string;
  /** Absolute path of the bin script to run with this Node. */
  bin: string;
  args: readonly string[];
  /** Milliseconds to wait for the ready line. */
  readyTimeoutMs: number;
}

/** What `cluster` supervises: a broker or node (SupervisedChild), or etcd (EtcdChild). */
export interface Supervised {
  readonly name: string;
  /** Resolves once it serves, with where and as which process. */
  readonly ready: Promise<{ endpoint: string; pid: number }>;
  readonly exited: Promise<{ code: number | null; signal: NodeJS.Signals | null }>;
  readonly pid: number | undefined;
  readonly running: boolean;
  /** Sends SIGTERM, waits for the exit, and sends SIGKILL if it takes longer than `graceMs`. */
  stop(graceMs?: number): Promise<void>;
}

/**
 * What every child of `cluster` shares: its exit, whether it still runs, and stopping it. A child
 * that could not be started at all says why under its prefix, and counts as exited.
 */
export abstract class SupervisedProcess {
  readonly exited: Promise<{ code: number | null; signal: NodeJS.Signals | null }>;
  private exitedNow = false;

  protected constructor(
    protected readonly child: ChildProcess,
    prefix: string,
  ) {
    this.exited = new Promise((resolve) => {
      const done = (code: number | null, signal: NodeJS.Signals | null): void => {
        this.exitedNow = true;
        resolve({ code, signal });
      };
      child.once('exit', done);
      // A program that could not be started at all may never emit 'exit'.
      child.once('error', (err) => {
        process.stderr.write(`${prefix}${err.message}\n`);
        if (child.pid === undefined) done(null, null);
      });
    });
  }

  get pid(): number | undefined {
    return this.child.pid;
  }

  get running(): boolean {
    return !this.exitedNow;
  }

  /** Sends SIGTERM, waits for the exit, and sends SIGKILL if it takes longer than `graceMs`. */
  async stop(graceMs = 10_000): Promise<void> {
    if (this.exitedNow || this.child.pid === undefined) return;
    this.child.kill('SIGTERM');
    const timer = setTimeout(() => this.child.kill('SIGKILL'), graceMs);
    await this.exited;
    clearTimeout(timer);
  }
}

/**
 * One child process of `cluster`: its output lines are copied with a prefix, and `ready` resolves
 * with its ready line.
 */
export class SupervisedChild extends SupervisedProcess implements Supervised {
  readonly name: string;
  readonly ready: Promise<ReadyEvent>;

  constructor(options: SupervisedChildOptions) {
    // Detached: a Ctrl-C in the terminal reaches only the supervisor, which stops the children
    // in order (nodes, then the broker). The IPC channel stops them should the supervisor die.
    super(
      spawn(process.execPath, [options.bin, ...options.args], { stdio: ['ignore', 'pipe', 'pipe', 'ipc'], detached: true }),
      options.prefix,
    );
    this.name = options.name;
    let onReady: (event: ReadyEvent) => void = () => undefined;
    const readyLine = new Promise<ReadyEvent>((resolve) => (onReady = resolve));
    copyLines(this.child.stdout, process.stdout, options.prefix, (line) => {
      const event = parseReadyLine(line);
      if (event !== undefined) onReady(event);
    });
    copyLines(this.child.stderr, process.stderr, options.prefix);

    this.ready = new Promise<ReadyEvent>((resolve, reject) => {
      const timer = setTimeout(
        () => reject(new Error(`${options.name} printed no ready line within ${options.readyTimeoutMs} ms`)),
        options.readyTimeoutMs,
      );
      readyLine.then(resolve, reject).finally(() => clearTimeout(timer));
      void this.exited.then(({ code, signal }) => {
        clearTimeout(timer);
        reject(new Error(`${options.name} exited before it was ready (${signal ?? `code ${String(code)}`})`));
      });
    });
    this.ready.catch(() => undefined);
  }
}

/** Copies each line `from` prints to `to`, with `prefix` in front, and hands it to `onLine`. */
export function copyLines(
  from: NodeJS.ReadableStream | null,
  to: NodeJS.WritableStream,
  prefix: string,
  onLine?: (line: string) => void,
): void {
  if (from === null) return;
  const lines = createInterface({ input: from, crlfDelay: Infinity });
  lines.on('line', (line) => {
    to.write(`${prefix}${line}\n`);
    onLine?.(line);
  });
}
