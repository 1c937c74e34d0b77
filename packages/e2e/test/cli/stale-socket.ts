import { spawn } from 'node:child_process';
import { once } from 'node:events';

/**
 * Leaves a stale Unix socket file at `path`, as a killed broker does: a child process listens
 * there and is killed with SIGKILL, so nothing removes the file.
 */
export async function makeStaleSocket(path: string): Promise<void> {
  const child = spawn(
    process.execPath,
    ['-e', `require('node:net').createServer().listen(${JSON.stringify(path)}, () => console.log('listening'))`],
    { stdio: ['ignore', 'pipe', 'inherit'] },
  );
  const [chunk] = (await once(child.stdout, 'data')) as [Buffer];
  if (!chunk.toString().includes('listening')) throw new Error(`unexpected output: ${chunk.toString()}`);
  child.kill('SIGKILL');
  await once(child, 'exit');
}
