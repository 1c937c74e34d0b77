import { fstatSync } from 'node:fs';
import { readFile } from 'node:fs/promises';
import { Flags } from '@oclif/core';
import { UsageError } from './errors.js';
import { fileUsageError } from './file-usage-error.js';

/** `-x`/`--stdin` and `--value-file`, for the commands that store a value. */
export const valueFlags = {
  stdin: Flags.boolean({
    char: 'x',
    description: 'Read the value from standard input, to its end, byte for byte (as redis-cli -x).',
    default: false,
  }),
  'value-file': Flags.string({ description: 'Read the value from this file, byte for byte.', helpValue: '<path>' }),
};

export interface ValueSources {
  stdin: boolean;
  'value-file'?: string | undefined;
}

/**
 * The value to store: the VALUE argument (as UTF-8), the bytes of --value-file, or standard input
 * read to its end, however slowly it comes. Standard input is read with -x, or without it when
 * it is a pipe or a file (`set k < file`), never when it is a terminal or /dev/null.
 */
export async function readValue(arg: string | undefined, flags: ValueSources): Promise<string | Buffer> {
  const file = flags['value-file'];
  const given = [arg !== undefined, flags.stdin, file !== undefined].filter(Boolean).length;
  if (given > 1) throw new UsageError('give the value once: as VALUE, with -x (--stdin), or with --value-file');
  if (arg !== undefined) return arg;
  if (file !== undefined) return readValueFile(file);
  if (flags.stdin || stdinIsRedirected()) return readStdin();
  throw new UsageError('missing required argument VALUE (or -x to read it from standard input, or --value-file PATH)');
}

/** Reads a file named on the command line; one that is missing, or a directory, is wrong usage. */
export async function readValueFile(file: string): Promise<Buffer> {
  try {
    return await readFile(file);
  } catch (error) {
    throw fileUsageError(error, file);
  }
}

async function readStdin(): Promise<Buffer> {
  const chunks: Buffer[] = [];
  for await (const chunk of process.stdin) chunks.push(chunk as Buffer);
  return Buffer.concat(chunks);
}

/** True when standard input is a pipe, a socket or a file: something a value may come from. */
function stdinIsRedirected(): boolean {
  try {
    const stat = fstatSync(0);
    return stat.isFIFO() || stat.isFile() || stat.isSocket();
  } catch {
    return false;
  }
}
