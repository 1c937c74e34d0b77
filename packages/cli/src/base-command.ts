import type { Logger } from '@brainer/protocol';
import { Command, Flags, type Interfaces } from '@oclif/core';
import { ReportedError, UsageError } from './errors.js';
import { exitCodeFor, formatError, oneLineMessage } from './format-error.js';
import { createLogger, LOG_FORMATS, LOG_LEVELS, type LogFormat, type LogLevel } from './logger.js';

export type BaseFlags<T extends typeof Command> = Interfaces.InferredFlags<(typeof BaseCommand)['baseFlags'] & T['flags']>;

/**
 * The base of every command: the logging flags, and error handling that prints one line (with the
 * error's code) and no stack trace unless `--debug` is given.
 */
export abstract class BaseCommand extends Command {
  static override baseFlags = {
    debug: Flags.boolean({
      description: 'Log at debug level and print stack traces with errors.',
      default: false,
      helpGroup: 'GLOBAL',
    }),
    'log-level': Flags.option({
      description: 'Lowest log level written to stderr.',
      options: LOG_LEVELS,
      default: 'info' as LogLevel,
      helpGroup: 'GLOBAL',
    })(),
    'log-format': Flags.option({
      description: 'Log line format: text, or one JSON object per line.',
      options: LOG_FORMATS,
      default: 'text' as LogFormat,
      helpGroup: 'GLOBAL',
    })(),
  };

  /** Creates the winston logger from the logging flags. Only the CLI creates winston. */
  protected createLogger(
    flags: { debug: boolean; 'log-level': LogLevel; 'log-format': LogFormat },
    name?: string,
  ): Logger & { close(): void } {
    return createLogger({ level: flags['log-level'], format: flags['log-format'], debug: flags.debug, name });
  }

  /** Writes one line to stdout, whatever `--json` says. */
  protected writeLine(line: string): void {
    process.stdout.write(`${line}\n`);
  }

  /** Writes lines to stdout in a few large writes rather than one a line. */
  protected writeLines(lines: readonly string[]): void {
    const perWrite = 10_000;
    for (let i = 0; i < lines.length; i += perWrite) process.stdout.write(`${lines.slice(i, i + perWrite).join('\n')}\n`);
  }

  protected override async catch(err: Error & { code?: unknown }): Promise<never> {
    // `this.exit(n)` throws an ExitError: let oclif exit quietly with its code.
    if (err.code === 'EEXIT' || err instanceof ReportedError) throw err;
    // oclif sets `parsed` once parsing succeeds: an error without a code before that is wrong
    // usage (unknown flag, missing or extra argument, flag given twice, bad integer).
    if (!this.parsed && typeof err.code !== 'string') err = new UsageError(oneLineMessage(err), { cause: err });
    const debug = this.argv.includes('--debug');
    const helpHint = `${this.config.bin} ${this.id ?? ''} --help`.replace(/\s+/g, ' ');
    process.stderr.write(`${formatError(err, { debug, helpHint, json: this.argv.includes('--json') })}\n`);
    throw new ReportedError(exitCodeFor(err), { cause: err });
  }
}
