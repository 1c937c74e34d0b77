import { BrainerError, type WaitMode } from '@brainer/protocol';
import { parseLimit, parseTtl, parseWait } from './request-fields.js';

/** One request of the JSON ops protocol, checked. */
export type JsonRequest =
  | { op: 'PUT'; key: string; value: string; ttlMs: number | undefined; wait: WaitMode | undefined }
  | { op: 'GET_ONE'; key: string }
  | { op: 'GET_ALL'; prefix: string; limit: number | undefined; cursor: string }
  | { op: 'DELETE'; key: string; wait: WaitMode | undefined };

export const JSON_OPS = ['PUT', 'GET_ONE', 'GET_ALL', 'DELETE'] as const;

const utf8 = new TextDecoder('utf-8', { fatal: true });

/**
 * Parses and checks one request frame; throws a BrainerError with the code that says what is wrong.
 * `maxGetAll` bounds a GET_ALL's `limit`.
 */
export function parseJsonRequest(frame: Buffer, maxGetAll: number): JsonRequest {
  const fields = parseObject(frame);
  switch (fields.op) {
    case 'PUT':
      return {
        op: 'PUT',
        key: stringField(fields, 'key'),
        value: stringField(fields, 'value'),
        ttlMs: parseTtl(numberField(fields, 'ttl')),
        wait: parseWait(fields.wait),
      };
    case 'GET_ONE':
      return { op: 'GET_ONE', key: stringField(fields, 'key') };
    case 'GET_ALL':
      return {
        op: 'GET_ALL',
        prefix: fields.prefix === undefined ? '' : stringField(fields, 'prefix'),
        limit: parseLimit(numberField(fields, 'limit'), maxGetAll),
        cursor: fields.cursor === undefined ? '' : stringField(fields, 'cursor'),
      };
    case 'DELETE':
      return { op: 'DELETE', key: stringField(fields, 'key'), wait: parseWait(fields.wait) };
    default:
      if (typeof fields.op !== 'string') throw new BrainerError('ERR_BAD_REQUEST', `a request needs "op": one of ${JSON_OPS.join(', ')}`);
      throw new BrainerError('ERR_UNKNOWN_OP', `unknown op ${JSON.stringify(fields.op)}: use one of ${JSON_OPS.join(', ')}`);
  }
}

function parseObject(frame: Buffer): Record<string, unknown> {
  let value: unknown;
  try {
    value = JSON.parse(utf8.decode(frame));
  } catch (error) {
    throw new BrainerError('ERR_MALFORMED', 'a request must be one JSON object in UTF-8, such as {"op":"GET_ONE","key":"k"}', {
      cause: error,
    });
  }
  if (value === null || typeof value !== 'object' || Array.isArray(value)) {
    throw new BrainerError('ERR_BAD_REQUEST', 'a request must be a JSON object, such as {"op":"GET_ONE","key":"k"}');
  }
  return value as Record<string, unknown>;
}

/** A number field as JSON gives it: `"5"`, a string, is refused rather than read as 5. */
function numberField(fields: Record<string, unknown>, name: string): unknown {
  const value = fields[name];
  if (value === undefined || typeof value === 'number') return value;
  throw new BrainerError('ERR_BAD_REQUEST', `"${name}" must be a JSON number, got ${JSON.stringify(value)}`);
}

function stringField(fields: Record<string, unknown>, name: string): string {
  const value = fields[name];
  if (typeof value === 'string') return value;
  throw new BrainerError('ERR_BAD_REQUEST', `"${name}" must be a string, got ${value === undefined ? 'none' : JSON.stringify(value)}`);
}
