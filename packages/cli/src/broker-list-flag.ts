import { parseBrokerList } from '@brainer/protocol';
import { Flags } from '@oclif/core';
import { UsageError } from './errors.js';

/**
 * A flag holding one broker endpoint or several, separated by commas (`E1,E2`): one broker leads,
 * the others stand by (PROTOCOL.md 5.17). The value is the list joined again with commas, without
 * blanks or duplicates. A malformed list is wrong usage: ERR_USAGE, naming the flag and the bad item.
 */
export const brokerListFlag = Flags.custom<string>({
  helpValue: '<endpoint[,endpoint...]>',
  parse: async (input, _context, flag) => {
    try {
      return parseBrokerList(`--${flag.name}`, input).join(',');
    } catch (error) {
      throw new UsageError((error as Error).message, { cause: error });
    }
  },
});
