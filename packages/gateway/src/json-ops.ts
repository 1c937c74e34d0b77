import { BrainerError } from '@brainer/protocol';
import { errorBody, notFound } from './error-body.js';
import type { GatewayClient } from './gateway-client.js';
import { parseJsonRequest, type JsonRequest } from './json-request.js';
import type { KeyLister } from './key-listing.js';

/**
 * Answers one request frame of the JSON ops protocol. Never rejects: a failure is answered as
 * `{code, message}`. `maxGetAll` bounds what one GET_ALL returns.
 */
export async function answerJsonRequest(client: GatewayClient, lister: KeyLister, frame: Buffer, maxGetAll: number): Promise<string> {
  try {
    return JSON.stringify(await runJsonRequest(client, lister, parseJsonRequest(frame, maxGetAll), maxGetAll));
  } catch (error) {
    return JSON.stringify(errorBody(error));
  }
}

/** Values travel as JSON strings: they are stored as UTF-8 and read back as UTF-8. */
export async function runJsonRequest(client: GatewayClient, lister: KeyLister, request: JsonRequest, maxGetAll: number): Promise<object> {
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
      return getAll(client, lister, request, maxGetAll);
    case 'DELETE': {
      const { key, wait } = request;
      if (!(await client.del(key, wait === undefined ? {} : { wait }))) throw notFound(key);
      return { key, status: 'deleted' };
    }
  }
}

/**
 * One page of the items whose key starts with `prefix`, in key order, after `cursor`. Without a
 * limit, more than `maxGetAll` matches is an error rather than a silently partial answer; with one,
 * a page that is not the last says `truncated` and gives the `cursor` of the next.
 */
async function getAll(
  client: GatewayClient,
  lister: KeyLister,
  request: Extract<JsonRequest, { op: 'GET_ALL' }>,
  maxGetAll: number,
): Promise<object> {
  const { prefix, limit, cursor } = request;
  const page = await lister.list(prefix, limit ?? maxGetAll, cursor);
  if (limit === undefined && page.cursor !== undefined) {
    throw new BrainerError(
      'ERR_TOO_MANY_KEYS',
      `more than the ${maxGetAll} keys GET_ALL returns at once match: give a "prefix", or a "limit" to get them page by page`,
    );
  }
  const values = await Promise.all(page.keys.map((key) => client.getBuffer(key)));
  // A key deleted between the listing and its read is left out.
  const collection = page.keys.flatMap((key, i) => (values[i] === null ? [] : [{ key, value: values[i]!.toString('utf8') }]));
  return page.cursor === undefined ? { collection } : { collection, truncated: true, cursor: page.cursor };
}
