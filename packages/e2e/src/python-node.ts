import { execFile } from 'node:child_process';
import { fileURLToPath } from 'node:url';
import { spawnProgramReady, type ManagedProcess, type SpawnReadyOptions } from '@brainer/test-utils';

/**
 * Debian's interpreter, which `apt-get install python3-zmq` installs pyzmq into (a `python3`
 * earlier on PATH may be another one). BRAINER_PYTHON names another interpreter that has pyzmq.
 */
export const PYTHON = process.env.BRAINER_PYTHON ?? '/usr/bin/python3';

/** examples/python-node, from this file in packages/e2e/dist/src. */
export const PYTHON_NODE_DIR = fileURLToPath(new URL('../../../../examples/python-node/', import.meta.url));

/** Why the Python node cannot run here, or undefined when it can. */
export function pythonNodeMissing(): Promise<string | undefined> {
  return new Promise((resolve) => {
    execFile(PYTHON, ['-c', 'import zmq'], (error) =>
      resolve(
        error
          ? `${PYTHON} with its zmq module is missing (apt-get install python3-zmq): ${error.message.trim().split('\n')[0]}`
          : undefined,
      ),
    );
  });
}

export interface PythonNodeOptions extends SpawnReadyOptions {
  id: string;
}

/** Starts examples/python-node/node.py against a broker, on a free loopback port. */
export function startPythonNode(brokerEndpoint: string, options: PythonNodeOptions): Promise<ManagedProcess> {
  return spawnProgramReady(
    { name: 'python-node', command: PYTHON, leadingArgs: [`${PYTHON_NODE_DIR}node.py`] },
    ['--broker', brokerEndpoint, '--node-endpoint', 'tcp://127.0.0.1:*', '--id', options.id],
    options,
  );
}
