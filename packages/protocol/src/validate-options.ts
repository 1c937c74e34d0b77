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
