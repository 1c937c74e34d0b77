import { homedir } from 'node:os';
import { join } from 'node:path';
import { ClientCommand, clientFlags, directFlags } from '../client-command.js';
import { EXIT_FAILURE } from '../errors.js';
import { promptLoop } from '../repl/prompt-loop.js';

export default class ReplCommand extends ClientCommand {
  static override summary = 'An interactive prompt, as redis-cli gives: what `brainer-cli` or `brainer-cli ENDPOINT` alone opens.';
  static override description = `Type commands one a line: PING, GET, SET (with PX ms or EX seconds), DEL, EXISTS, MGET, MSET, TTL, PTTL, EXPIRE, PEXPIRE, FLUSHALL, KEYS, STATS, HELP, QUIT. Names are case-insensitive; "double quotes" keep spaces in a word. At a terminal the lines are kept in ~/.brainer_cli_history; from a pipe they are run one after the other, and the exit code is 1 if any failed.`;
  static override hidden = true;
  static override examples = [
    '<%= config.bin %>',
    '<%= config.bin %> ipc:///tmp/broker.sock',
    "printf 'SET a 1\\nGET a\\n' | <%= config.bin %>",
  ];
  static override flags = { ...clientFlags, ...directFlags };

  async run(): Promise<void> {
    const { flags } = await this.parse(ReplCommand);
    const endpoint = flags.node ?? flags.broker;
    const failed = await this.withClient(flags, (client) =>
      promptLoop(client, { prompt: `${endpoint}> `, historyFile: join(homedir(), '.brainer_cli_history') }),
    );
    if (failed > 0) this.exit(EXIT_FAILURE);
  }
}
