import type { Config } from '@oclif/core';
import { EXIT_USAGE, UsageError } from './errors.js';

/** A topic named without one of its commands: the error to print, its help hint and exit code. */
export interface TopicProblem {
  error: UsageError;
  helpHint: string;
  exitCode: number;
}

/**
 * `brainer-cli bucket`, `brainer-cli bucket sett x` or `brainer-cli bucket --broker E`: oclif would
 * print the topic's help and exit 0, so a script would take a write that never ran for a success.
 * Answers the usage error instead, or undefined when `argv` names a command (or asks for help).
 */
export function topicWithoutCommand(config: Config, argv: readonly string[]): TopicProblem | undefined {
  if (argv.includes('--help')) return undefined;
  let topic: string | undefined;
  let index = 0;
  for (; index < argv.length; index++) {
    const word = argv[index]!;
    if (word.startsWith('-')) break;
    const id = topic === undefined ? word : `${topic}:${word}`;
    if (config.findCommand(id) !== undefined) return undefined;
    if (config.findTopic(id) === undefined) break;
    topic = id;
  }
  if (topic === undefined) return undefined;
  const words = topic.replaceAll(':', ' ');
  const next = argv[index];
  const commands = config.commands
    .filter((command) => command.id.startsWith(`${topic}:`) && !command.hidden)
    .map((command) => command.id.replaceAll(':', ' '));
  const message =
    next === undefined || next.startsWith('-')
      ? `"${words}" needs a command: ${commands.join(', ')}`
      : `unknown command "${words} ${next}"; the commands are ${commands.join(', ')}`;
  return { error: new UsageError(message), helpHint: `${config.bin} ${words} --help`, exitCode: EXIT_USAGE };
}
