import { InvalidOptionError } from './errors.js';

/** Checks that `value` is an integer in [min, max], naming the field when it is not. */
export function requireInteger(field: string, value: unknown, min: number, max = Number.MAX_SAFE_INTEGER): number {
  if (typeof value !== 'number' || !Number.isInteger(value) || value < min || value > max) {
    throw new InvalidOptionError(field, `must be an integer from ${min} to ${max}, got ${String(value)}`);
  }
  return value;
}

/** Checks that `value` looks like a ZeroMQ endpoint this project uses (tcp, ipc or inproc). */
export function requireEndpoint(field: string, value: unknown): string {
  if (typeof value !== 'string' || !isEndpoint(value)) {
    throw new InvalidOptionError(
      field,
      `must be an endpoint such as tcp://127.0.0.1:5555 or ipc:///tmp/broker.sock, got ${JSON.stringify(value)}`,
    );
  }
  return value;
}

export function isEndpoint(value: string): boolean {
  const tcp = /^tcp:\/\/([^\s:/[\]]+|\[[0-9a-fA-F:.]+\]):(\d{1,5}|\*)$/.exec(value);
  if (tcp) return tcp[2] === '*' || Number(tcp[2]) <= 65535;
  return /^(ipc|inproc):\/\/\S+$/.test(value);
}

/** The socket file path of an `ipc://` endpoint, or undefined for other transports and Linux abstract sockets (`ipc://@name`). */
export function ipcSocketPath(endpoint: string): string | undefined {
  if (!endpoint.startsWith('ipc://')) return undefined;
  const path = endpoint.slice('ipc://'.length);
  return path === '' || path === '*' || path.startsWith('@') ? undefined : path;
}

/** Checks a file mode for an ipc socket file: an integer from 0 to 0o777. */
export function requireFileMode(field: string, value: unknown): number {
  if (typeof value !== 'number' || !Number.isInteger(value) || value < 0 || value > 0o777) {
    throw new InvalidOptionError(field, `must be a file mode from 0 to 0o777, got ${String(value)}`);
  }
  return value;
}
