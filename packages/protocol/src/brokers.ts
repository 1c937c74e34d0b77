import { InvalidOptionError } from './errors.js';
import { isEndpoint } from './validate-options.js';

/**
 * The brokers a client or node may talk to, from `E1,E2` or a list: one broker leads, the others
 * stand by. Each must be an endpoint; duplicates are dropped, order is kept.
 */
export function parseBrokerList(field: string, value: string | readonly string[]): string[] {
  const items = (typeof value === 'string' ? value.split(',') : value).map((item) => item.trim()).filter((item) => item !== '');
  if (items.length === 0) throw new InvalidOptionError(field, 'must name at least one broker endpoint');
  for (const item of items) {
    if (!isEndpoint(item)) {
      throw new InvalidOptionError(
        field,
        `must be endpoints such as tcp://127.0.0.1:5555, separated by commas; got ${JSON.stringify(item)}`,
      );
    }
  }
  return [...new Set(items)];
}

const LEADER_AT = ' The leader is at ';

/**
 * The message of ERR_NOT_LEADER, which a standby broker answers to every request and registration
 * (PROTOCOL.md 4.4). When the standby knows the leader, the message ends with its endpoint, where
 * `leaderInMessage` finds it.
 */
export function notLeaderMessage(leader: string | undefined): string {
  const start = 'This broker is a standby, not the leader.';
  return leader === undefined ? `${start} No leader is known yet.` : `${start}${LEADER_AT}${leader}`;
}

/** The leader's endpoint named in an ERR_NOT_LEADER message, if any. */
export function leaderInMessage(message: string): string | undefined {
  const at = message.lastIndexOf(LEADER_AT);
  if (at < 0) return undefined;
  const endpoint = message.slice(at + LEADER_AT.length).trim();
  return isEndpoint(endpoint) ? endpoint : undefined;
}
