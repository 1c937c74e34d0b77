import { requireBucketName } from '@brainer/protocol';
import { Args } from '@oclif/core';
import { UsageError } from './errors.js';

// Every argument sets ignoreStdin: oclif would otherwise read a missing argument from standard
// input, giving up after 10 ms and trimming what it got. Values from standard input are read by
// value-input.ts, byte for byte, and only by the commands that store one.

export const keyArg = Args.string({ description: 'The key.', required: true, ignoreStdin: true });

/** The first of one or more keys, for a command with `strict = false` that reads them all with `positionalWords`. */
export const firstKeyArg = Args.string({ description: 'The keys: one or more.', required: true, ignoreStdin: true });

/**
 * The words of a command with `strict = false`, in the order given. Not oclif's `argv`: that is
 * sorted by each word's first occurrence, which moves a repeated word (`mset a x b x` would store
 * `a=x x=x b=?`). A word that looks like a flag no command has is refused, not taken as a key;
 * after `--`, every word is a key or value.
 */
export function positionalWords(parsed: {
  raw: readonly { type: string; input: string }[];
  nonExistentFlags: readonly string[];
}): string[] {
  const unknown = parsed.nonExistentFlags[0];
  if (unknown !== undefined) {
    throw new UsageError(`unknown flag ${unknown}; to give a key or value that starts with -, put -- before it`);
  }
  return parsed.raw.filter((token) => token.type === 'arg').map((token) => token.input);
}

export const bucketArg = Args.string({
  description: 'The bucket: not empty, no "}".',
  required: true,
  ignoreStdin: true,
  parse: async (name) => requireBucketName(name),
});

export const itemArg = Args.string({ description: 'The item.', required: true, ignoreStdin: true });

/** A value to store; without it, it comes from -x, --value-file, or a redirected standard input. */
export const valueArg = Args.string({
  description:
    'The value, stored as UTF-8. Without it: from standard input when that is a pipe or a file (or with -x), or from --value-file.',
  ignoreStdin: true,
});

export const patternArg = Args.string({
  description: 'Glob pattern such as user:*. Quote it so the shell leaves it alone.',
  default: '*',
  ignoreStdin: true,
});

export const fileArg = Args.string({ description: 'The file to load, or - for standard input.', required: true, ignoreStdin: true });
