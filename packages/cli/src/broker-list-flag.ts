import { parseBrokerList } from '@brainer/protocol';
import { Flags } from '@oclif/core';

/**
 * A flag holding one broker endpoint or several, comma-separated (`tcp://10.0.0.1:5555,tcp://10.0.0.2:5555`):
 * one leads, the others stand by, and a client follows the leader among them. The value is the list
 * joined by commas, without spaces or duplicates. A malformed item fails with ERR_INVALID_OPTION
 * (exit 2) naming the flag and the item.
 */
export const brokerListFlag = Flags.custom<string>({
  helpValue: '<endpoint[,endpoint...]>',
  parse: async (input, _context, flag) => parseBrokerList(`--${flag.name}`, input).join(','),
});

/** How a message names the brokers of a `brokerListFlag` value. */
export function brokersTarget(brokers: string): string {
  return brokers.includes(',') ? `the brokers at ${brokers}` : `the broker at ${brokers}`;
}
