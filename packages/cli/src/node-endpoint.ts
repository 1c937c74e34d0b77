import { ipcPath } from './ipc-socket.js';

/**
 * Each node's own endpoint, derived from the broker's: beside an ipc broker socket
 * (`/tmp/broker.sock` gives `/tmp/broker-node1.sock`), so two clusters on different broker
 * endpoints never share a node socket; a free loopback port for a tcp broker.
 */
export function nodeEndpointFor(brokerEndpoint: string, name: string): string {
  const path = ipcPath(brokerEndpoint);
  if (path === undefined) return 'tcp://127.0.0.1:*';
  return `ipc://${path.replace(/\.sock$/, '')}-${name}.sock`;
}
