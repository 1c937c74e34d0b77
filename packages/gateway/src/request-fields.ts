import { BrainerError, type WaitMode } from '@brainer/protocol';

/**
 * The optional fields that HTTP queries and JSON ops share. Each takes what either one carries (a
 * query string value, possibly repeated, or a JSON value) and returns undefined when it is absent.
 */

export function parseWait(value: unknown): WaitMode | undefined {
  if (value === undefined) return undefined;
  if (value === 'all' || value === 'primary') return value;
  throw new BrainerError('ERR_BAD_REQUEST', `wait must be all or primary, got ${JSON.stringify(value)}`);
}

/** A time to live in ms; 0 means none. */
export function parseTtl(value: unknown): number | undefined {
  return parseWholeNumber('ttl', value, 0, Number.MAX_SAFE_INTEGER, 'a whole number of ms');
}

export function parseLimit(value: unknown, max: number): number | undefined {
  return parseWholeNumber('limit', value, 1, max, `a whole number from 1 to ${max}`);
}

function parseWholeNumber(field: string, value: unknown, min: number, max: number, what: string): number | undefined {
  if (value === undefined) return undefined;
  const number = typeof value === 'string' && /^\d{1,16}$/.test(value) ? Number(value) : value;
  if (typeof number === 'number' && Number.isSafeInteger(number) && number >= min && number <= max) return number;
  throw new BrainerError('ERR_BAD_REQUEST', `${field} must be ${what}, got ${JSON.stringify(value)}`);
}
