import type { ExecutionContext } from 'ava';
import type { CliResult } from '@brainer/test-utils';

/** Asserts that a command exited 0 and printed exactly `stdout`. */
export function assertCliOk(t: ExecutionContext, result: CliResult, stdout: string): void {
  const detail = `exit ${String(result.code)}\nstdout: ${result.stdout}\nstderr: ${result.stderr}`;
  t.is(result.code, 0, detail);
  t.is(result.stdout, stdout, detail);
}
