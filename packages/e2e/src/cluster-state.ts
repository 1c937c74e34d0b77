import type { Brainer } from '@brainer/client';

/** Whether the broker lists exactly `count` nodes, all ready; false while it cannot answer (a restart). */
export async function allReady(client: Brainer, count: number): Promise<boolean> {
  const nodes = await client.nodes().catch(() => []);
  return nodes.length === count && nodes.every((node) => node.state === 'ready');
}

/** Whether the broker lists the node `id` as ready. */
export async function isReady(client: Brainer, id: string): Promise<boolean> {
  return (await client.nodes()).some((node) => node.id === id && node.state === 'ready');
}

/** Whether a write is acknowledged now (after a broker restart, once its start-up wait is over). */
export async function writable(client: Brainer, key = 'probe'): Promise<boolean> {
  return client.set(key, 'ok').then(
    () => true,
    () => false,
  );
}
