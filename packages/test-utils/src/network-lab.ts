import { execFile, execFileSync } from 'node:child_process';
import { existsSync } from 'node:fs';
import { randomBytes } from 'node:crypto';
import { promisify } from 'node:util';

/** iproute2's `ip`: network namespaces, links, addresses and routes. */
export const IP_BIN = '/usr/sbin/ip';

const run = promisify(execFile);

/**
 * Why network namespaces cannot be used here, or undefined when they can: it needs root and `ip`,
 * and tries `ip netns add` (refused in many containers) with a throwaway name.
 */
export function netnsUnavailable(): string | undefined {
  if (!existsSync(IP_BIN)) return `${IP_BIN} is missing (apt-get install iproute2)`;
  if (process.getuid?.() !== 0) return 'network namespaces need root';
  const probe = `brainer-probe-${process.pid}-${randomBytes(3).toString('hex')}`;
  try {
    execFileSync(IP_BIN, ['netns', 'add', probe], { stdio: 'pipe' });
  } catch (error) {
    return `\`ip netns add\` is refused here: ${String((error as { stderr?: Buffer }).stderr ?? error).trim()}`;
  }
  try {
    execFileSync(IP_BIN, ['netns', 'del', probe], { stdio: 'pipe' });
  } catch {
    // The name goes with the next cleanup; it holds no process.
  }
  return undefined;
}

/**
 * Hosts in network namespaces of their own, on one private /24 behind a bridge (itself in a
 * namespace of its own), which the test process reaches through one veth. `cut` makes each of two
 * hosts drop every packet that arrives from the other (a blackhole policy rule, `ip` alone): silent,
 * as a pulled cable or a dropping firewall is, so connections stall and connects time out.
 */
export interface NetworkLab {
  /** The run's unique tag, in every name the lab creates. */
  readonly id: string;
  /** The hosts, in the order given. */
  readonly hosts: readonly string[];
  /** The test process's own address on the lab's network. */
  readonly hostAddress: string;
  /** The namespace `host` runs in: for `ip netns exec`, or `netns` of startBroker and startNode. */
  netns(host: string): string;
  /** The address of `host` on the lab's network. */
  address(host: string): string;
  /** Drops every packet between `a` and `b`, both ways, until `heal`. */
  cut(a: string, b: string): Promise<void>;
  /** Undoes `cut(a, b)`. */
  heal(a: string, b: string): Promise<void>;
  /** Deletes every namespace and link of the lab; idempotent, and never throws. */
  destroy(): Promise<void>;
}

/** Where the cuts' rules go in a host's policy routing: before its local table's, moved to LOCAL_RULE_PREF. */
const CUT_RULE_PREF = 10;
const LOCAL_RULE_PREF = 100;

/** Labs not yet destroyed: removed on the way out, even when a test fails before its teardown runs. */
const live = new Set<NetworkLab>();
let exitHookInstalled = false;

/**
 * Creates a lab with a namespace for each of `hosts` (short names: letters, digits, dashes). The
 * subnet is a free 10.x.y.0/24, and every name carries a random tag, so several runs can go side by side.
 */
export async function startNetworkLab(hosts: readonly string[]): Promise<NetworkLab> {
  if (hosts.length === 0 || hosts.length > 200) throw new Error('a network lab takes 1 to 200 hosts');
  for (const host of hosts) if (!/^[a-z0-9-]{1,12}$/.test(host)) throw new Error(`bad lab host name ${JSON.stringify(host)}`);
  if (new Set(hosts).size !== hosts.length) throw new Error('lab host names must differ');
  const id = randomBytes(3).toString('hex');
  const prefix = await freeSubnet();
  const lab = new Lab(id, hosts, prefix);
  live.add(lab);
  if (!exitHookInstalled) {
    exitHookInstalled = true;
    process.once('exit', () => {
      for (const remaining of live) (remaining as Lab).destroySync();
    });
  }
  try {
    await lab.build();
  } catch (error) {
    await lab.destroy();
    throw error;
  }
  return lab;
}

class Lab implements NetworkLab {
  private readonly switchNs: string;
  /** The test process's end of its veth, in this process's namespace (15 characters at most). */
  private readonly hostLink: string;
  private destroyed = false;

  constructor(
    readonly id: string,
    readonly hosts: readonly string[],
    private readonly prefix: string,
  ) {
    this.switchNs = `brainer-${id}-sw`;
    this.hostLink = `brainer${id}`;
  }

  get hostAddress(): string {
    return `${this.prefix}.254`;
  }

  netns(host: string): string {
    this.index(host);
    return `brainer-${this.id}-${host}`;
  }

  address(host: string): string {
    return `${this.prefix}.${this.index(host) + 1}`;
  }

  async build(): Promise<void> {
    await ip('netns', 'add', this.switchNs);
    await ip('-n', this.switchNs, 'link', 'add', 'br0', 'type', 'bridge');
    await ip('-n', this.switchNs, 'link', 'set', 'br0', 'up');
    for (const [i, host] of this.hosts.entries()) {
      const ns = this.netns(host);
      await ip('netns', 'add', ns);
      await ip('-n', ns, 'link', 'set', 'lo', 'up');
      // Both ends are made in the namespaces they live in: nothing of theirs appears in this one.
      await ip('-n', this.switchNs, 'link', 'add', `p${i}`, 'type', 'veth', 'peer', 'name', 'eth0', 'netns', ns);
      await this.plug(`p${i}`);
      await ip('-n', ns, 'addr', 'add', `${this.address(host)}/24`, 'dev', 'eth0');
      await ip('-n', ns, 'link', 'set', 'eth0', 'up');
      // The local table's rule goes after the cuts' rules (they must see packets for this host too).
      await ip('-n', ns, 'rule', 'add', 'pref', String(LOCAL_RULE_PREF), 'lookup', 'local');
      await ip('-n', ns, 'rule', 'del', 'pref', '0');
    }
    await ip('link', 'add', this.hostLink, 'type', 'veth', 'peer', 'name', 'ptest', 'netns', this.switchNs);
    await this.plug('ptest');
    await ip('addr', 'add', `${this.hostAddress}/24`, 'dev', this.hostLink);
    await ip('link', 'set', this.hostLink, 'up');
  }

  async cut(a: string, b: string): Promise<void> {
    await ip('-n', this.netns(a), 'rule', 'add', 'from', this.address(b), 'blackhole', 'pref', String(CUT_RULE_PREF));
    await ip('-n', this.netns(b), 'rule', 'add', 'from', this.address(a), 'blackhole', 'pref', String(CUT_RULE_PREF));
  }

  async heal(a: string, b: string): Promise<void> {
    await ip('-n', this.netns(a), 'rule', 'del', 'from', this.address(b), 'blackhole', 'pref', String(CUT_RULE_PREF));
    await ip('-n', this.netns(b), 'rule', 'del', 'from', this.address(a), 'blackhole', 'pref', String(CUT_RULE_PREF));
  }

  async destroy(): Promise<void> {
    if (this.destroyed) return;
    this.destroyed = true;
    live.delete(this);
    // Deleting a namespace deletes its veths, and with them their peers: the switch's takes the test's link.
    for (const ns of this.namespaces()) await ip('netns', 'del', ns).catch(() => undefined);
    await ip('link', 'del', this.hostLink).catch(() => undefined);
  }

  /** `destroy` for the process's exit, when nothing asynchronous runs any more. */
  destroySync(): void {
    if (this.destroyed) return;
    this.destroyed = true;
    for (const ns of this.namespaces()) {
      try {
        execFileSync(IP_BIN, ['netns', 'del', ns], { stdio: 'ignore' });
      } catch {
        // Already gone.
      }
    }
    try {
      execFileSync(IP_BIN, ['link', 'del', this.hostLink], { stdio: 'ignore' });
    } catch {
      // Gone with the switch's namespace.
    }
  }

  private namespaces(): string[] {
    return [...this.hosts.map((host) => `brainer-${this.id}-${host}`), this.switchNs];
  }

  private async plug(link: string): Promise<void> {
    await ip('-n', this.switchNs, 'link', 'set', link, 'master', 'br0');
    await ip('-n', this.switchNs, 'link', 'set', link, 'up');
  }

  private index(host: string): number {
    const index = this.hosts.indexOf(host);
    if (index < 0) throw new Error(`the lab has no host ${JSON.stringify(host)}`);
    return index;
  }
}

async function ip(...args: string[]): Promise<void> {
  try {
    await run(IP_BIN, args);
  } catch (error) {
    const stderr = String((error as { stderr?: string }).stderr ?? '').trim();
    throw new Error(`ip ${args.join(' ')} failed: ${stderr || String(error)}`, { cause: error });
  }
}

/** A 10.x.y prefix that no address or route of this namespace uses yet. */
async function freeSubnet(): Promise<string> {
  const { stdout } = await run(IP_BIN, ['-4', '-o', 'route', 'show', 'table', 'all']);
  const { stdout: addresses } = await run(IP_BIN, ['-4', '-o', 'addr', 'show']);
  const taken = `${stdout}\n${addresses}`;
  for (let attempt = 0; attempt < 100; attempt++) {
    const prefix = `10.${200 + Math.floor(Math.random() * 50)}.${Math.floor(Math.random() * 256)}`;
    // Any route or address in 10.x.*.* rules it out: another lab's, or the host's own.
    const [, second] = prefix.split('.');
    if (!new RegExp(`(^|[^0-9])10\\.${second}\\.`, 'm').test(taken)) return prefix;
  }
  throw new Error('no free 10.x.y.0/24 for a network lab');
}
