import { startCluster, type TestCluster } from '@brainer/test-utils';
import type { TestProject } from 'vitest/node';

declare module 'vitest' {
  export interface ProvidedContext {
    /** The broker endpoint of the live cluster every spec file runs against. */
    brokerEndpoint: string;
  }
}

/** Starts one real broker and three nodes for the whole vitest run, and stops them after it. */
export default async function setup(project: TestProject): Promise<() => Promise<void>> {
  const cluster: TestCluster = await startCluster({ nodes: 3 });
  project.provide('brokerEndpoint', cluster.endpoint);
  return () => cluster.stop();
}
