import { Flags } from '@oclif/core';

/** `--wait all|primary`, for the commands that write. */
export const waitFlag = Flags.option({
  description: 'Acknowledge after all ready nodes applied the write, or after the primary did.',
  options: ['all', 'primary'] as const,
  default: 'all' as const,
});

/** `--ttl MS`, for the commands that store values. */
export const ttlFlag = Flags.integer({ description: 'Expire the key after this many milliseconds.', min: 1, helpValue: '<ms>' });

/** The `set` options of `--ttl`: none when it is not given. */
export function ttlOption(ttl: number | undefined): { ttlMs?: number } {
  return ttl === undefined ? {} : { ttlMs: ttl };
}
