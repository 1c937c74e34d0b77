import type { GatewayClient } from './gateway-client.js';

/** The `keys` glob that matches exactly the keys starting with `prefix`. */
export function prefixPattern(prefix: string): string {
  return `${prefix.replace(/[*?[\]\\]/g, '\\$&')}*`;
}

export interface KeyListing {
  /** The first `limit` matching keys, sorted. */
  keys: string[];
  /** How many keys match in all. */
  total: number;
}

/**
 * The keys that start with `prefix`, sorted, at most `limit` of them. The broker's `keys` answers
 * every match at once, so this costs a scan of the whole key set whatever the limit.
 */
export async function listKeys(client: GatewayClient, prefix: string, limit: number): Promise<KeyListing> {
  const keys = await client.keys(prefixPattern(prefix));
  keys.sort();
  return { keys: keys.slice(0, limit), total: keys.length };
}
