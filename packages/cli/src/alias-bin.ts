import { Help, type Config } from '@oclif/core';

/**
 * `run-broker --help` and `run-node --help` under their own names: oclif would write the usage and
 * examples as `brainer-cli run-broker ...`. The command is shown with an empty bin, and the space
 * that leaves after the `$` is taken out.
 */
class OwnNameHelp extends Help {
  protected override log(...args: string[]): void {
    super.log(...args.map((text) => text.replaceAll('$  ', '$ ')));
  }
}

/**
 * What a bin that aliases one command answers by itself, before the command runs: its version, or
 * its help under its own name. Resolves with the exit code, or undefined when the command should run.
 */
export async function aliasBinAnswer(config: Config, bin: string, argv: readonly string[]): Promise<number | undefined> {
  const words = argv.slice(0, argv.includes('--') ? argv.indexOf('--') : argv.length);
  if (words.includes('--version')) {
    process.stdout.write(`${bin} ${config.userAgent}\n`);
    return 0;
  }
  if (!words.includes('--help') && !words.includes('-h')) return undefined;
  const command = config.findCommand(bin);
  if (command === undefined) return undefined;
  config.bin = '';
  await new OwnNameHelp(config).showCommandHelp(command);
  return 0;
}
