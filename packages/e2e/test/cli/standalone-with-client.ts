import type { ExecutionContext } from 'ava';
import { Brainer } from '@brainer/client';
import { startStandaloneNode } from '@brainer/test-utils';

/** A standalone node (torn down after the test), the CLI flags that reach it, and a client of it. */
export async function standaloneWithClient(t: ExecutionContext): Promise<{ direct: string[]; client: Brainer }> {
  const node = await startStandaloneNode();
  t.teardown(() => node.stop());
  const client = Brainer.direct(node.endpoint);
  t.teardown(() => client.close());
  await client.connect();
  return { direct: ['--node', node.endpoint], client };
}
