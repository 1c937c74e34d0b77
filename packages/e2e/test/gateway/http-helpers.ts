import { execFile, spawnSync } from 'node:child_process';
import { promisify } from 'node:util';

export interface HttpAnswer {
  status: number;
  headers: Headers;
  body: Buffer;
  /** The body parsed as JSON. */
  json(): unknown;
}

/** One real HTTP request with fetch, answered in full. */
export async function request(url: string, init: RequestInit = {}): Promise<HttpAnswer> {
  const response = await fetch(url, init);
  const body = Buffer.from(await response.arrayBuffer());
  return { status: response.status, headers: response.headers, body, json: () => JSON.parse(body.toString('utf8')) as unknown };
}

/** Percent-encodes a key for a URL path: every `/` too, so the key is one segment. */
export function keyPath(key: string): string {
  return `/db/${encodeURIComponent(key)}`;
}

const run = promisify(execFile);

/** Whether curl is installed; the curl tests are skipped where it is not. Synchronous, since ava declares tests synchronously. */
export function hasCurl(): boolean {
  return spawnSync('curl', ['--version']).status === 0;
}

/** Runs curl quietly and returns the status it reports on the last line and the body before it. */
export async function curl(args: readonly string[]): Promise<{ status: number; body: string }> {
  const { stdout } = await run('curl', ['--silent', '--show-error', '--write-out', '\n%{http_code}', ...args]);
  const cut = stdout.lastIndexOf('\n');
  return { status: Number(stdout.slice(cut + 1)), body: stdout.slice(0, cut) };
}
