import { askBrokerRole, brokerRows } from '../broker-role.js';
import { ClientCommand, clientFlags } from '../client-command.js';
import { curveClientKeys } from '../curve-flags.js';
import { formatTable } from '../format-table.js';

export default class BrokersCommand extends ClientCommand {
  static override summary = 'List each broker given: its endpoint, role (leader, standby or down), epoch, and the leader as it sees it.';
  static override description = `Give the brokers as --broker E1,E2 (or BRAINER_BROKER, or the first argument). Each is asked for its stats on its own, at the same time; one that refuses the connection or does not answer within --timeout is down (with the error's code). A broker run without --etcd leads alone and shows as leader. With --json, one array of {endpoint, role, epoch, leader}, plus error for a broker that is down. The exit code is 0 once every broker has been listed, whatever its role.`;
  static override examples = [
    '<%= config.bin %> <%= command.id %> --broker tcp://10.0.0.1:5555,tcp://10.0.0.2:5555',
    'BRAINER_BROKER=tcp://10.0.0.1:5555,tcp://10.0.0.2:5555 <%= config.bin %> <%= command.id %> --json',
  ];
  static override flags = { ...clientFlags };

  async run(): Promise<void> {
    const { flags } = await this.parse(BrokersCommand);
    const curve = await curveClientKeys(flags);
    // Loaded here, not at the top, so that `--help` never loads zeromq.
    const { Brainer } = await import('@brainer/client');
    const options = {
      timeoutMs: flags.timeout,
      allowForeignSocket: flags['allow-foreign-socket'],
      reads: 'broker' as const,
      // Each client asks its one broker, standby or not.
      followLeader: false,
      ...(curve === undefined ? {} : { curve }),
    };
    const brokers = await Promise.all(flags.broker.split(',').map((endpoint) => askBrokerRole(endpoint, new Brainer(endpoint, options))));
    this.writeLine(flags.json ? JSON.stringify(brokers) : formatTable(brokerRows(brokers)));
  }
}
