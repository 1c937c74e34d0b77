import { tmpdir } from 'node:os';
import { join } from 'node:path';

/**
 * The private directory that holds the default ipc sockets: `$XDG_RUNTIME_DIR/brainer` when that is
 * set, else `/run/brainer` for root, else `brainer-UID` in the temp dir (as tmux does). Whoever binds
 * first creates it, mode 0700, so that no other local user can bind a socket there first.
 */
export function defaultIpcDir(xdgRuntimeDir: string | undefined, uid: number | undefined): string {
  if (xdgRuntimeDir !== undefined && xdgRuntimeDir.startsWith('/')) return join(xdgRuntimeDir, 'brainer');
  if (uid === 0) return '/run/brainer';
  return join(tmpdir(), uid === undefined ? 'brainer' : `brainer-${uid}`);
}

// Read once, as os.tmpdir() reads TMPDIR: the broker, the nodes, the client and the CLI must all
// find the same directory without being told, or the defaults would not meet.
const env: Record<string, string | undefined> = process.env;

/** This process's default ipc directory (see `defaultIpcDir`). */
export const DEFAULT_IPC_DIR = defaultIpcDir(env['XDG_RUNTIME_DIR'] || undefined, process.getuid?.());

/** The broker endpoint that the broker, nodes, clients and the CLI use unless told otherwise. */
export const DEFAULT_BROKER_ENDPOINT = `ipc://${join(DEFAULT_IPC_DIR, 'broker.sock')}`;

/** A node's own endpoint unless told otherwise: beside the broker's, named after the node. */
export function defaultNodeEndpoint(id: string): string {
  return `ipc://${join(DEFAULT_IPC_DIR, `node-${id}.sock`)}`;
}
