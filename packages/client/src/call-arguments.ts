import { BrainerError, type WaitMode } from '@brainer/protocol';

/**
 * Checks of what a caller passes to the client's methods, made before anything is queued: from
 * JavaScript, or past a cast, a number or an object can arrive where a string belongs, and it must
 * come back as a coded rejection, never as a throw from inside the send queue.
 */

/** A value the client stores: a string (stored as its UTF-8 bytes), a Buffer, or any Uint8Array. */
export type Value = string | Buffer | Uint8Array;

/** `key`, which must be a string that is not empty; else ERR_BAD_KEY. */
export function requireKey(key: unknown, name = 'key'): string {
  if (typeof key !== 'string') throw new BrainerError('ERR_BAD_KEY', `${name} must be a string, not ${describe(key)}`);
  if (key.length === 0) throw new BrainerError('ERR_BAD_KEY', `${name} must not be empty`);
  return key;
}

/** The bytes of `value`: a string's UTF-8, a Buffer as it is, a Uint8Array's bytes without a copy; else ERR_BAD_VALUE. */
export function valueBytes(value: unknown): Buffer {
  if (typeof value === 'string') return Buffer.from(value);
  if (Buffer.isBuffer(value)) return value;
  if (value instanceof Uint8Array) return Buffer.from(value.buffer, value.byteOffset, value.byteLength);
  throw new BrainerError('ERR_BAD_VALUE', `value must be a string, a Buffer or a Uint8Array, not ${describe(value)}`);
}

/** A call's options object: undefined for none, or an object; else ERR_BAD_REQUEST. */
export function optionsObject<T extends object>(options: unknown): Partial<T> {
  if (options === undefined) return {};
  if (options === null || typeof options !== 'object') {
    throw new BrainerError('ERR_BAD_REQUEST', `options must be an object, not ${describe(options)}`);
  }
  return options as Partial<T>;
}

/** The `wait` option: `all` (the default) or `primary`; else ERR_BAD_REQUEST. */
export function waitMode(wait: unknown): WaitMode {
  if (wait === undefined) return 'all';
  if (wait === 'all' || wait === 'primary') return wait;
  throw new BrainerError('ERR_BAD_REQUEST', `wait must be 'all' or 'primary', not ${describe(wait)}`);
}

/** A time in ms that must be a whole number, 0 or more; else ERR_BAD_REQUEST. */
export function wholeMs(name: string, ms: unknown, fallback: number): number {
  if (ms === undefined) return fallback;
  if (typeof ms !== 'number' || !Number.isSafeInteger(ms) || ms < 0) {
    throw new BrainerError('ERR_BAD_REQUEST', `${name} must be a whole number of ms, not ${describe(ms)}`);
  }
  return ms;
}

/** A time in ms that must be a whole number, of any sign; else ERR_BAD_REQUEST. */
export function signedWholeMs(name: string, ms: unknown): number {
  if (typeof ms !== 'number' || !Number.isSafeInteger(ms)) {
    throw new BrainerError('ERR_BAD_REQUEST', `${name} must be a whole number of ms, not ${describe(ms)}`);
  }
  return ms;
}

/** How a wrong argument is named in an error: its type, and a short form of its value. */
function describe(value: unknown): string {
  if (value === null) return 'null';
  if (typeof value === 'string') return `the string ${JSON.stringify(value.length > 40 ? `${value.slice(0, 40)}...` : value)}`;
  if (typeof value === 'number' || typeof value === 'boolean' || typeof value === 'bigint') return `the ${typeof value} ${String(value)}`;
  if (Array.isArray(value)) return 'an array';
  return typeof value === 'object' ? 'an object' : typeof value;
}
