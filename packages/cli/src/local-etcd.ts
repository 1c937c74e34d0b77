import { spawn } from 'node:child_process';
import { constants } from 'node:fs';
import { access, mkdtemp, rm, stat } from 'node:fs/promises';
import { get } from 'node:http';
import { tmpdir } from 'node:os';
import { delimiter, join } from 'node:path';
import { freeTcpPort } from './broker-endpoints.js';
import type { LogLevel } from './logger.js';
import { copyLines, SupervisedProcess, type Supervised } from './supervised-child.js';

/** How often a starting etcd is asked whether it serves, in ms. */
const HEALTH_POLL_MS = 100;

/** etcd is needed and is not on PATH. The code is Node's for a missing program; the CLI exits 1, as for any environment failure. */
export class EtcdNotFoundError extends Error {
  readonly code = 'ENOENT';

  constructor(why: string) {
    super(
      `${why}, and there is no etcd on PATH; install it (Debian, Ubuntu: apt-get install etcd-server) or put the directory holding it on PATH`,
    );
    this.name = 'EtcdNotFoundError';
  }
}

/** The first executable file named `name` in the directories of `path` (a PATH value), or undefined. */
export async function findOnPath(name: string, path: string): Promise<string | undefined> {
  for (const dir of path.split(delimiter)) {
    if (dir === '') continue;
    const candidate = join(dir, name);
    try {
      await access(candidate, constants.X_OK);
      if ((await stat(candidate)).isFile()) return candidate;
    } catch {
      // not here
    }
  }
  return undefined;
}

export interface EtcdStartOptions {
  /** The prefix put in front of each line it prints, as `cluster` prints it. */
  prefix: string;
  readyTimeoutMs: number;
  /** The CLI's log level; etcd logs one step quieter (info only under debug), since it says much. */
  logLevel: LogLevel;
}

/**
 * A one-member etcd for `cluster --brokers N`, on loopback: its client and peer ports, picked once,
 * and a temporary data directory, kept across restarts until `removeDataDir`.
 */
export class LocalEtcd {
  private constructor(
    readonly bin: string,
    /** Its client URL: what the brokers are given as `--etcd`. */
    readonly url: string,
    private readonly peerUrl: string,
    readonly dataDir: string,
  ) {}

  /** Picks the ports and makes the data directory. */
  static async create(bin: string): Promise<LocalEtcd> {
    const client = await freeTcpPort('127.0.0.1');
    let peer = await freeTcpPort('127.0.0.1');
    while (peer === client) peer = await freeTcpPort('127.0.0.1');
    const dataDir = await mkdtemp(join(tmpdir(), 'brainer-etcd-'));
    return new LocalEtcd(bin, `http://127.0.0.1:${client}`, `http://127.0.0.1:${peer}`, dataDir);
  }

  /** Starts etcd (again, after an exit: same ports, same data). */
  start(options: EtcdStartOptions): EtcdChild {
    const level = options.logLevel === 'debug' ? 'info' : options.logLevel === 'error' ? 'error' : 'warn';
    const args = [
      ...['--name', 'brainer-etcd', '--data-dir', this.dataDir],
      ...['--listen-client-urls', this.url, '--advertise-client-urls', this.url],
      ...['--listen-peer-urls', this.peerUrl, '--initial-advertise-peer-urls', this.peerUrl],
      ...['--initial-cluster', `brainer-etcd=${this.peerUrl}`, '--initial-cluster-state', 'new'],
      ...['--logger', 'zap', '--log-outputs', 'stderr', '--log-level', level],
    ];
    return new EtcdChild(this.bin, args, this.url, options);
  }

  async removeDataDir(): Promise<void> {
    await rm(this.dataDir, { recursive: true, force: true });
  }
}

/**
 * One etcd process. Like `cluster`'s other children it runs in its own process group, so that a
 * terminal's Ctrl-C reaches only `cluster`, which stops it after the brokers; its output is copied
 * with its prefix. It prints no ready line: it is ready once its /health says so.
 */
export class EtcdChild extends SupervisedProcess implements Supervised {
  readonly name = 'etcd';
  readonly ready: Promise<{ endpoint: string; pid: number }>;

  constructor(bin: string, args: readonly string[], url: string, options: EtcdStartOptions) {
    super(spawn(bin, args, { stdio: ['ignore', 'pipe', 'pipe'], detached: true }), options.prefix);
    copyLines(this.child.stdout, process.stderr, options.prefix);
    copyLines(this.child.stderr, process.stderr, options.prefix);
    this.ready = this.waitUntilServing(url, options.readyTimeoutMs);
    this.ready.catch(() => undefined);
  }

  private async waitUntilServing(url: string, timeoutMs: number): Promise<{ endpoint: string; pid: number }> {
    const deadline = performance.now() + timeoutMs;
    for (;;) {
      if (!this.running) {
        const { code, signal } = await this.exited;
        throw new Error(`etcd exited before it served (${signal ?? `code ${String(code)}`})`);
      }
      if (await healthy(url)) return { endpoint: url, pid: this.child.pid! };
      if (performance.now() > deadline) throw new Error(`etcd did not serve at ${url} within ${timeoutMs} ms`);
      await new Promise((resolve) => setTimeout(resolve, HEALTH_POLL_MS));
    }
  }
}

/** Whether etcd at `url` answers its /health with `"health":"true"`. */
function healthy(url: string, timeoutMs = 1000): Promise<boolean> {
  return new Promise((resolve) => {
    const request = get(`${url}/health`, { agent: false, timeout: timeoutMs }, (response) => {
      let body = '';
      response.setEncoding('utf8');
      response.on('data', (chunk: string) => (body += chunk));
      response.on('end', () => resolve(response.statusCode === 200 && body.includes('"health":"true"')));
      response.on('error', () => resolve(false));
    });
    request.on('timeout', () => request.destroy());
    request.on('error', () => resolve(false));
  });
}
