import { createInterface } from 'node:readline/promises';
import { Flags } from '@oclif/core';
import { ClientCommand, clientFlags, directFlags } from '../client-command.js';
import { UsageError } from '../errors.js';

export default class FlushallCommand extends ClientCommand {
  static override summary = 'Remove every key on every node. Asks first, unless given --yes. Prints OK.';
  static override description =
    'One sequenced write, applied by every node (and kept in their logs) like any other, and acknowledged once every ready node has applied it. At a terminal it asks for "yes"; from a script, give --yes.';
  static override examples = ['<%= config.bin %> <%= command.id %>', '<%= config.bin %> <%= command.id %> --yes'];
  static override flags = {
    ...clientFlags,
    ...directFlags,
    yes: Flags.boolean({ char: 'y', description: 'Do not ask: remove every key.' }),
  };

  async run(): Promise<void> {
    const { flags } = await this.parse(FlushallCommand);
    const target = flags.node ?? flags.broker;
    if (!flags.yes && !(await confirmed(`Remove every key of the cluster at ${target}? Type yes to go on: `))) {
      this.writeLine(flags.json ? JSON.stringify({ ok: false, flushed: false }) : 'not flushed');
      return;
    }
    await this.withClient(flags, (client) => client.flushall());
    this.writeLine(flags.json ? JSON.stringify({ ok: true, flushed: true }) : 'OK');
  }
}

/** Asks on the terminal; standard input that is not one cannot answer, so the command needs --yes. */
async function confirmed(question: string): Promise<boolean> {
  if (!process.stdin.isTTY) {
    throw new UsageError('flushall removes every key: give --yes to confirm (standard input is not a terminal to ask on)');
  }
  const prompt = createInterface({ input: process.stdin, output: process.stderr });
  try {
    return /^y(es)?$/i.test((await prompt.question(question)).trim());
  } finally {
    prompt.close();
  }
}
