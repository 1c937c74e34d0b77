import { settings } from '@oclif/core';
import { aliasArgv, normalizeArgv } from './normalize-argv.js';

/**
 * Run by each bin before oclif's `execute`: commands are always loaded from the compiled
 * `dist/`, even when NODE_ENV is `test` or `development` (oclif would otherwise look for the
 * TypeScript sources), and argv gets its command id or endpoint rewriting.
 */
export function binArgs(bin: 'brainer-cli' | 'run-broker' | 'run-node', argv: readonly string[]): string[] {
  settings.enableAutoTranspile = false;
  return bin === 'brainer-cli' ? normalizeArgv(argv) : aliasArgv(bin, argv);
}

/**
 * Run by each bin after `execute` resolves. A command that has finished must not leave the process
 * hanging on a handle a library forgot to close, so exit with the code the command set.
 */
export function binDone(): void {
  process.exit(process.exitCode ?? 0);
}
