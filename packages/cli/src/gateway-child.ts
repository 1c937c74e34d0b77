import { spawn, type ChildProcess } from 'node:child_process';
import { fileURLToPath } from 'node:url';
import { createInterface } from 'node:readline';
import { parseReadyLine, type Logger, type ReadyEvent } from '@brainer/protocol';

const RUN_GATEWAY = fileURLToPath(new URL('../../bin/run-gateway.js', import.meta.url));

/** How long a gateway has to print its ready line. */
const READY_TIMEOUT_MS = 20_000;
/** The first wait before a gateway that died is started again; it doubles up to the last. */
const RESTART_DELAYS_MS = [1000, 2000, 4000, 8000, 16_000, 30_000];
/** How long a stopping gateway has before it is killed. */
const STOP_GRACE_MS = 10_000;

/**
 * `run-gateway` as a child of run-broker: a process of its own, so that no HTTP or JSON load can
 * stall or kill the broker. Its logs go to the broker's stderr. One that dies after it was ready is
 * logged and started again; the broker serves on regardless. It has its own process group, so a
 * Ctrl-C or a hang-up reaches the broker alone, which stops it; its IPC channel stops it should the
 * broker die.
 */
export class GatewayChild {
  private child: ChildProcess | undefined;
  private readyLine: ReadyEvent | undefined;
  private restarts = 0;
  private restartTimer: NodeJS.Timeout | undefined;
  private closed = false;

  constructor(
    private readonly args: readonly string[],
    private readonly logger: Logger,
  ) {}

  /** The ready line's fields of the gateways it serves. */
  get readyFields(): { http?: string; json?: string } {
    const line = this.readyLine;
    return { ...(line?.http === undefined ? {} : { http: line.http }), ...(line?.json === undefined ? {} : { json: line.json }) };
  }

  get pid(): number | undefined {
    return this.child?.pid;
  }

  /** Starts it and resolves once it is ready; rejects when it exits or stays silent first. */
  async start(): Promise<void> {
    const child = spawn(process.execPath, [RUN_GATEWAY, ...this.args], { stdio: ['ignore', 'pipe', 'inherit', 'ipc'], detached: true });
    this.child = child;
    const exited = new Promise<{ code: number | null; signal: NodeJS.Signals | null }>((resolve) =>
      child.once('exit', (code, signal) => resolve({ code, signal })),
    );
    child.once('error', (error) => this.logger.error('could not start run-gateway', { error: error.message }));
    const ready = new Promise<ReadyEvent>((resolve) => {
      createInterface({ input: child.stdout!, crlfDelay: Infinity }).on('line', (line) => {
        const event = parseReadyLine(line);
        if (event !== undefined) resolve(event);
      });
    });
    let timer: NodeJS.Timeout | undefined;
    const outcome = await Promise.race([
      ready,
      exited.then((exit) => new Error(`the gateway exited before it was ready (${exit.signal ?? `code ${String(exit.code)}`})`)),
      new Promise<Error>(
        (resolve) => (timer = setTimeout(() => resolve(new Error('the gateway printed no ready line in time')), READY_TIMEOUT_MS)),
      ),
    ]);
    clearTimeout(timer);
    if (outcome instanceof Error) {
      child.kill('SIGKILL');
      throw outcome;
    }
    this.readyLine = outcome;
    this.restarts = 0;
    this.logger.info('gateway started', { pid: child.pid, ...this.readyFields });
    void exited.then((exit) => this.onExit(child, exit));
  }

  /** Stops it: SIGTERM, then SIGKILL after a grace period. Idempotent. */
  async close(): Promise<void> {
    this.closed = true;
    clearTimeout(this.restartTimer);
    const child = this.child;
    if (child === undefined || child.exitCode !== null || child.signalCode !== null) return;
    const exited = new Promise((resolve) => child.once('exit', resolve));
    child.kill('SIGTERM');
    const timer = setTimeout(() => child.kill('SIGKILL'), STOP_GRACE_MS);
    await exited;
    clearTimeout(timer);
  }

  private onExit(child: ChildProcess, exit: { code: number | null; signal: NodeJS.Signals | null }): void {
    if (this.closed || child !== this.child) return;
    const delayMs = RESTART_DELAYS_MS[Math.min(this.restarts, RESTART_DELAYS_MS.length - 1)]!;
    this.restarts++;
    this.logger.error('the gateway exited; the broker serves on, and starts it again', { pid: child.pid, ...exit, inMs: delayMs });
    this.restartTimer = setTimeout(() => {
      this.start().catch((error: unknown) => {
        this.logger.error('the gateway could not start again', { error: String(error) });
        if (this.child !== undefined) this.onExit(this.child, { code: null, signal: null });
      });
    }, delayMs);
  }
}
