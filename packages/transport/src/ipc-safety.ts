import { accessSync, constants, lstatSync, statSync, type Stats } from 'node:fs';
import { mkdir } from 'node:fs/promises';
import { dirname, resolve } from 'node:path';
import { BrainerError, DEFAULT_IPC_DIR, ipcSocketPath } from '@brainer/protocol';

/** The user ids this process trusts with its data: itself, and root (who can read it anyway). */
function trusted(uid: number): boolean {
  const self = process.getuid?.();
  return self === undefined || uid === self || uid === 0;
}

function errnoOf(error: unknown): string | undefined {
  return (error as NodeJS.ErrnoException | null)?.code;
}

/** A directory any other user may write to, and without the sticky bit that keeps them off others' files. */
function openToOthers(stats: Stats): boolean {
  return (stats.mode & 0o022) !== 0 && (stats.mode & 0o1000) === 0;
}

function unsafe(endpoint: string, what: string, hint: string): BrainerError {
  return new BrainerError('ERR_UNSAFE_ENDPOINT', `${endpoint}: ${what}; ${hint}`);
}

/**
 * Gets an ipc endpoint's directory ready for bind, and refuses one where another local user could
 * put a socket of their own in our place. The default private directory is created (mode 0700) if
 * missing and must be this user's and closed to others; any other directory must exist, belong to
 * this user or root, and be closed to writes by others unless sticky (as /tmp is).
 */
export async function prepareIpcBind(endpoint: string): Promise<void> {
  const path = ipcSocketPath(endpoint);
  if (path === undefined) return;
  const dir = dirname(resolve(path));
  const isPrivate = dir === resolve(DEFAULT_IPC_DIR);
  if (isPrivate) {
    // Not recursive: the runtime dir (or /run, or /tmp) must be there already.
    await mkdir(dir, { mode: 0o700 }).catch((error: unknown) => {
      if (errnoOf(error) !== 'EEXIST') throw bindError(endpoint, error);
    });
  }
  let stats: Stats;
  try {
    // The private directory may not be a symlink, which another user could point anywhere.
    stats = isPrivate ? lstatSync(dir) : statSync(dir);
  } catch (error) {
    throw bindError(endpoint, error);
  }
  if (!stats.isDirectory()) throw unsafe(endpoint, `${dir} is not a directory`, `remove it, or give another endpoint`);
  if (isPrivate && (stats.uid !== process.getuid?.() || (stats.mode & 0o077) !== 0)) {
    throw unsafe(
      endpoint,
      `the private socket directory ${dir} must belong to this user (uid ${process.getuid?.()}) with mode 700, but has uid ${stats.uid} and mode ${(stats.mode & 0o777).toString(8)}`,
      `remove it (another user may have made it) or chown and chmod 700 it`,
    );
  }
  if (!trusted(stats.uid)) {
    throw unsafe(endpoint, `${dir} belongs to another user (uid ${stats.uid})`, 'bind in a directory of your own');
  }
  if (openToOthers(stats)) {
    throw unsafe(endpoint, `${dir} is writable by other users and not sticky`, `chmod go-w ${dir}, or bind in a directory of your own`);
  }
}

/** A coded error naming the endpoint, for what ZeroMQ or the file system said when binding it. */
export function bindError(endpoint: string, error: unknown): Error {
  const path = ipcSocketPath(endpoint);
  const message = (error as Error | null)?.message ?? String(error);
  if (path !== undefined && errnoOf(error) === 'ENOENT') {
    return new BrainerError('ERR_ENDPOINT_DIR_MISSING', `cannot bind ${endpoint}: the directory ${dirname(path)} does not exist`, {
      cause: error,
    });
  }
  if (errnoOf(error) === 'EACCES') {
    return new BrainerError('ERR_ENDPOINT_ACCESS', `cannot bind ${endpoint}: permission denied (${message})`, { cause: error });
  }
  if (error instanceof Error && !message.includes(endpoint)) error.message = `${endpoint}: ${message}`;
  return error as Error;
}

export interface IpcPeerOptions {
  /** Connect even when the socket or its directory belongs to another user (not root). Default false. */
  allowForeignSocket?: boolean;
}

/**
 * Checks, before connecting, that an ipc endpoint is served by this user (or root) from a directory
 * no other user can swap the socket in: a socket of another user would receive everything sent.
 * Throws ERR_UNSAFE_ENDPOINT unless `allowForeignSocket`, and ERR_ENDPOINT_ACCESS when this user may
 * not connect at all (which ZeroMQ would otherwise retry silently until a timeout). A socket not
 * there yet is fine: the server may still be starting.
 */
export function requireSafeIpcPeer(endpoint: string, options: IpcPeerOptions = {}): void {
  const path = ipcSocketPath(endpoint);
  if (path === undefined) return;
  const hint = 'connect only to sockets of your own, or allow it explicitly (allowForeignSocket, --allow-foreign-socket)';
  const dir = dirname(resolve(path));
  const dirStats = statOrUndefined(endpoint, dir, statSync);
  if (dirStats === undefined) return;
  if (!options.allowForeignSocket) {
    if (!trusted(dirStats.uid)) throw unsafe(endpoint, `its directory ${dir} belongs to another user (uid ${dirStats.uid})`, hint);
    if (openToOthers(dirStats)) throw unsafe(endpoint, `its directory ${dir} is writable by other users and not sticky`, hint);
  }
  const socketStats = statOrUndefined(endpoint, path, lstatSync);
  if (socketStats === undefined) return;
  if (!options.allowForeignSocket && !trusted(socketStats.uid)) {
    throw unsafe(endpoint, `the socket ${path} belongs to another user (uid ${socketStats.uid}), who would receive everything sent`, hint);
  }
  try {
    accessSync(path, constants.W_OK);
  } catch (error) {
    throw peerAccessError(endpoint, error);
  }
}

function statOrUndefined(endpoint: string, path: string, stat: (path: string) => Stats): Stats | undefined {
  try {
    return stat(path);
  } catch (error) {
    if (errnoOf(error) === 'ENOENT') return undefined;
    throw peerAccessError(endpoint, error);
  }
}

function peerAccessError(endpoint: string, error: unknown): Error {
  if (errnoOf(error) !== 'EACCES') return error as Error;
  return new BrainerError(
    'ERR_ENDPOINT_ACCESS',
    `cannot connect to ${endpoint}: permission denied; the socket (mode 600 by default) admits its owner only, see --ipc-mode`,
    { cause: error },
  );
}
