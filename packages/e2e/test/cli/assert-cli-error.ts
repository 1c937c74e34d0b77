import type { ExecutionContext } from 'ava';
import type { CliResult } from '@brainer/test-utils';

/**
 * Asserts the CLI's wrong-usage contract: a non-zero exit (the given one), nothing on stdout, and
 * exactly one line on stderr that holds the error code and no stack trace. Under --json that line
 * is `{"error":{"code","message"}}`.
 */
export function assertCliError(t: ExecutionContext, result: CliResult, expected: { code: string; exit: number; includes?: string }): void {
  const detail = `exit ${String(result.code)}\nstdout: ${result.stdout}\nstderr: ${result.stderr}`;
  t.is(result.code, expected.exit, detail);
  t.is(result.stdout, '', detail);
  const lines = result.stderr.trimEnd().split('\n');
  t.is(lines.length, 1, detail);
  const json = lines[0]?.startsWith('{') ? (JSON.parse(lines[0]) as { error?: { code?: string } }) : undefined;
  if (json !== undefined) t.is(json.error?.code, expected.code, detail);
  else t.true(lines[0]?.includes(`[${expected.code}]`), detail);
  t.false(/^\s+at /m.test(result.stderr), detail);
  if (expected.includes !== undefined) t.true(result.stderr.includes(expected.includes), detail);
}
