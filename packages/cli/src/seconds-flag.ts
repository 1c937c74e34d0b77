import { Flags } from '@oclif/core';
import { UsageError } from './errors.js';

/** The longest time a seconds flag takes: a day. */
const MAX_SECONDS = 86_400;

/**
 * A time in seconds, decimals allowed (`0.5`), from `min` to a day, to the millisecond. Anything
 * else is a UsageError naming `flag`.
 */
export function parseSeconds(flag: string, input: string, min: number): number {
  const seconds = /^(\d+(\.\d*)?|\.\d+)$/.test(input.trim()) ? Number(input) : NaN;
  if (!(seconds >= min && seconds <= MAX_SECONDS) || Math.round(seconds * 1000) / 1000 !== seconds) {
    throw new UsageError(
      `${flag}: ${JSON.stringify(input)} is not a time; give seconds from ${min} to ${MAX_SECONDS}, to the millisecond (0.5, 10)`,
    );
  }
  return seconds;
}

/** A flag holding a time in seconds (see `parseSeconds`). */
export function secondsFlag(options: { description: string; default: number; min: number }) {
  return Flags.custom<number>({
    helpValue: '<seconds>',
    parse: async (input, _context, flag) => parseSeconds(`--${flag.name}`, input, options.min),
  })({ description: options.description, default: options.default });
}
