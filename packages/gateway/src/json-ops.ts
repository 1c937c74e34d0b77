import { BrainerError } from '@brainer/protocol';
import { errorBody, notFound } from './error-body.js';
import type { GatewayClient } from './gateway-client.js';
import { parseJsonRequest, type JsonRequest } from './json-request.js';
import { listKeys } from './key-listing.js';

/**
 * Answers one request frame of the JSON ops protocol. Never rejects: a failure is answered as
 * `{code, message}`. `maxGetAll` bounds what one GET_ALL returns.
 */
export async function answerJsonRequest(client: GatewayClient, frame: Buffer, maxGetAll: number): Promise<string> {
  try {
    return JSON.stringify(await runJsonRequest(client, parseJsonRequest(frame, maxGetAll), maxGetAll));
  } catch (error) {
    return JSON.stringify(errorBody(error));
  }
}

/** Values travel as JSON strings: they are stored as UTF-8 and read back as UTF-8. */
export async function runJsonRequest(client: GatewayClient, request: JsonRequest, maxGetAll: number): Promise<object> {
  switch (request.op) {
    case 'PUT': {
      const { key, value, ttlMs, wait } = request;
      await client.set(key, value, { ...(ttlMs === undefined ? {} : { ttlMs }), ...(wait === undefined ? {} : { wait }) });
      return { key, value };
    }
    case 'GET_ONE': {
      const value = await client.getBuffer(request.key);
      if (value === null) throw notFound(request.key);
      return { key: request.key, value: value.toString('utf8') };
    }
    case 'GET_ALL':
      return getAll(client, request.prefix, request.limit, maxGetAll);
    case 'DELETE': {
      const { key, wait } = request;
      if (!(await client.del(key, wait === undefined ? {} : { wait }))) throw notFound(key);
      return { key, status: 'deleted' };
    }
  }
}

/**
 * The items whose key starts with `prefix`, sorted by key. Without a limit, more than `maxGetAll`
 * matches is an error rather than a silently partial answer; with one, the answer says `truncated`.
 */
async function getAll(client: GatewayClient, prefix: string, limit: number | undefined, maxGetAll: number): Promise<object> {
  const { keys, total } = await listKeys(client, prefix, limit ?? maxGetAll);
  if (limit === undefined && total > maxGetAll) {
    throw new BrainerError(
      'ERR_TOO_MANY_KEYS',
      `${total} keys match, more than the ${maxGetAll} GET_ALL returns at once: give a "prefix", or a "limit" to get the first ones`,
    );
  }
  const values = await Promise.all(keys.map((key) => client.getBuffer(key)));
  // A key deleted between the listing and its read is left out.
  const collection = keys.flatMap((key, i) => (values[i] === null ? [] : [{ key, value: values[i]!.toString('utf8') }]));
  return total > keys.length ? { collection, truncated: true } : { collection };
}
