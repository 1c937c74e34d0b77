import type { Brainer } from '@brainer/client';

/** What the gateways need of a client: the `Brainer` class has it all. The caller owns it and closes it. */
export type GatewayClient = Pick<Brainer, 'getBuffer' | 'set' | 'del' | 'scan' | 'nodes' | 'stats'>;
