import type { Hook } from '@oclif/core';
import { EXIT_USAGE, ReportedError, UsageError } from '../errors.js';
import { closestCommands } from '../command-words.js';
import { formatError, formatFlags } from '../format-error.js';

/** An unknown command gets one line on stderr and exit code 2, instead of oclif's boxed error. */
const hook: Hook.CommandNotFound = async function (options) {
  const { id, argv = [] } = options;
  // With the space topic separator oclif joins the words it could not match: report the first.
  const command = id.split(':')[0] ?? id;
  const suggestions = closestCommands(
    command,
    options.config.commands.filter((c) => !c.hidden).map((c) => c.id.replaceAll(':', ' ')),
  );
  const hint = suggestions.length === 0 ? '' : ` (did you mean ${suggestions.join(' or ')}?)`;
  const message = command.startsWith('-') ? `missing command before ${command}` : `unknown command "${command}"${hint}`;
  const err = new UsageError(message);
  process.stderr.write(`${formatError(err, { ...formatFlags(argv), helpHint: `${options.config.bin} --help` })}\n`);
  throw new ReportedError(EXIT_USAGE, { cause: err });
};

export default hook;
