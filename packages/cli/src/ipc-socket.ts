import { lstat, unlink } from 'node:fs/promises';
import { connect } from 'node:net';

export type IpcPathState = 'absent' | 'stale' | 'live' | 'not-a-socket';

/** The file path of an `ipc://` endpoint, or undefined for other transports. */
export function ipcPath(endpoint: string): string | undefined {
  if (!endpoint.startsWith('ipc://')) return undefined;
  const path = endpoint.slice('ipc://'.length);
  return path === '' || path === '*' ? undefined : path;
}

/** Whether a process is listening on the Unix socket at `path`. */
export async function probeIpcPath(path: string, timeoutMs = 1000): Promise<IpcPathState> {
  try {
    const stats = await lstat(path);
    if (!stats.isSocket()) return 'not-a-socket';
  } catch (err) {
    if ((err as NodeJS.ErrnoException).code === 'ENOENT') return 'absent';
    throw err;
  }
  return new Promise((resolve, reject) => {
    const socket = connect(path);
    const settle = (state: IpcPathState | Error): void => {
      clearTimeout(timer);
      socket.destroy();
      if (state instanceof Error) reject(state);
      else resolve(state);
    };
    // A listener that accepts is alive. One that neither accepts nor refuses in time is busy, so alive too.
    const timer = setTimeout(() => settle('live'), timeoutMs);
    socket.once('connect', () => settle('live'));
    socket.once('error', (err: NodeJS.ErrnoException) => {
      // ECONNREFUSED on a Unix socket means the file is there and nobody listens: stale.
      if (err.code === 'ECONNREFUSED') settle('stale');
      else if (err.code === 'ENOENT') settle('absent');
      else settle(err);
    });
  });
}

/**
 * Makes an ipc endpoint safe to bind. ZeroMQ (libzmq 4.3) unlinks whatever file is at the path
 * when it binds: a stale socket left by a killed run is replaced, but so is the socket of a
 * process still serving there, which would silently lose all new connections. So: refuse when a
 * live process answers, remove a stale socket file, and refuse to touch anything that is not a
 * socket.
 */
export async function claimIpcEndpoint(endpoint: string): Promise<'absent' | 'removed-stale' | 'not-ipc'> {
  const path = ipcPath(endpoint);
  if (path === undefined) return 'not-ipc';
  const state = await probeIpcPath(path);
  switch (state) {
    case 'absent':
      return 'absent';
    case 'stale':
      await unlink(path).catch((err: NodeJS.ErrnoException) => {
        if (err.code !== 'ENOENT') throw err;
      });
      return 'removed-stale';
    case 'live':
      throw Object.assign(new Error(`${endpoint} is in use: another process is listening on ${path}`), { code: 'EADDRINUSE' });
    case 'not-a-socket':
      throw Object.assign(new Error(`${path} exists and is not a socket; refusing to replace it`), { code: 'EEXIST' });
  }
}

/**
 * Notes which socket file a process has just bound at an ipc endpoint, and returns a function that
 * removes it after close() if it is still that same file (ZeroMQ leaves it behind). A file that
 * another process has since bound in its place is left alone.
 */
export async function rememberIpcSocket(endpoint: string): Promise<() => Promise<void>> {
  const path = ipcPath(endpoint);
  if (path === undefined) return async () => undefined;
  // Inode numbers get reused; with the change time in nanoseconds a new file cannot pass for the old one.
  const identify = async (): Promise<string | undefined> => {
    const stats = await lstat(path, { bigint: true }).catch(() => undefined);
    return stats?.isSocket() === true ? `${stats.dev}:${stats.ino}:${stats.ctimeNs}` : undefined;
  };
  const bound = await identify();
  if (bound === undefined) return async () => undefined;
  return async () => {
    if ((await identify()) === bound) await unlink(path).catch(() => undefined);
  };
}
