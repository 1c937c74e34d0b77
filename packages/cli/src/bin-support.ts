import { Config, run, settings } from '@oclif/core';
import { EXIT_FAILURE, ReportedError } from './errors.js';
import { formatError, formatFlags } from './format-error.js';
import { aliasBinAnswer } from './alias-bin.js';
import { commandInLowerCase } from './command-words.js';
import { aliasArgv, normalizeArgv } from './normalize-argv.js';
import { topicWithoutCommand } from './topic-without-command.js';

export type BinName = 'brainer-cli' | 'run-broker' | 'run-node' | 'run-gateway';

/**
 * What each bin runs: the command its arguments name, then exit with the command's code once
 * stdout and stderr have drained. Commands are always loaded from the compiled `dist/`, even when
 * NODE_ENV is `test` or `development` (oclif would otherwise look for the TypeScript sources).
 */
export async function runBin(bin: BinName, dir: string, argv: readonly string[]): Promise<never> {
  settings.enableAutoTranspile = false;
  ignoreClosedPipes();
  // A server must outlive a closed terminal or a reload request even while it loads; once serving,
  // its SIGHUP handler (serveUntilShutdown) reloads.
  if (bin !== 'brainer-cli') process.on('SIGHUP', () => undefined);
  const code = await runCommand(bin, dir, argv);
  await Promise.all([drained(process.stdout), drained(process.stderr)]);
  // A command that has finished must not leave the process hanging on a handle a library forgot to close.
  process.exit(code);
}

async function runCommand(bin: BinName, dir: string, argv: readonly string[]): Promise<number> {
  try {
    const config = await Config.load(dir);
    if (bin !== 'brainer-cli') {
      const answered = await aliasBinAnswer(config, bin, argv);
      if (answered !== undefined) return answered;
    }
    const args =
      bin === 'brainer-cli'
        ? withPrompt(
            commandInLowerCase(
              normalizeArgv(argv, (id) => isTopic(config, id)),
              (id) => config.findCommand(id) !== undefined || config.findTopic(id) !== undefined,
            ),
          )
        : aliasArgv(bin, argv);
    const topicProblem = topicWithoutCommand(config, args);
    if (topicProblem !== undefined) {
      process.stderr.write(`${formatError(topicProblem.error, { ...formatFlags(args), helpHint: topicProblem.helpHint })}\n`);
      return topicProblem.exitCode;
    }
    await run(args, config);
    return typeof process.exitCode === 'number' ? process.exitCode : 0;
  } catch (error) {
    return exitCodeOf(error, formatFlags(argv));
  }
}

/**
 * `brainer-cli` with no command, only flags (as `brainer-cli ipc:///tmp/broker.sock` becomes), opens
 * the interactive prompt, as redis-cli does; `--help` and `--version` keep their meaning.
 */
function withPrompt(args: string[]): string[] {
  if (args.length > 0 && !args[0]!.startsWith('-')) return args;
  if (args.some((arg) => ['--help', '-h', '--version'].includes(arg))) return args;
  return ['repl', ...args];
}

/** A topic that is not itself a command, such as `bucket`. */
function isTopic(config: Config, id: string): boolean {
  return config.findTopic(id) !== undefined && config.findCommand(id) === undefined;
}

/** The exit code of what a command threw; an error nobody printed yet is printed here, in one line. */
function exitCodeOf(error: unknown, format: { debug: boolean; json: boolean }): number {
  const oclif = (error as { oclif?: { exit?: unknown } } | null)?.oclif;
  const code = typeof oclif?.exit === 'number' ? oclif.exit : EXIT_FAILURE;
  // `this.exit(n)` throws an ExitError (code EEXIT); a ReportedError has been printed already.
  if (error instanceof ReportedError || (error as { code?: unknown } | null)?.code === 'EEXIT') return code;
  process.stderr.write(`${formatError(error, format)}\n`);
  return code;
}

/**
 * Resolves once everything written to `stream` has been handed to the OS. Writes to a pipe are
 * asynchronous in Node, so exiting before this cuts the output at the pipe's buffer size.
 */
function drained(stream: NodeJS.WriteStream): Promise<void> {
  if (stream.destroyed || stream.writableLength === 0) return Promise.resolve();
  return new Promise((resolve) => stream.write('', () => resolve()));
}

/**
 * A reader that goes away (`brainer-cli keys | head -1`) must not crash the command with EPIPE: the
 * rest of the output is dropped, as it would be for any tool whose reader stopped reading.
 */
function ignoreClosedPipes(): void {
  for (const stream of [process.stdout, process.stderr]) {
    stream.on('error', (error: NodeJS.ErrnoException) => {
      if (error.code !== 'EPIPE') throw error;
    });
  }
}
