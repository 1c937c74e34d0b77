import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';

/** A new directory under the OS temp dir, removed when the test ends. */
export function tempDir(t: { teardown(fn: () => unknown): void }): string {
  const dir = mkdtempSync(join(tmpdir(), 'brainer-e2e-'));
  t.teardown(() => rmSync(dir, { recursive: true, force: true }));
  return dir;
}

/** Writes `content` to a file of that name in a new temp dir, removed when the test ends. */
export function tempFile(t: { teardown(fn: () => unknown): void }, name: string, content: string | Buffer): string {
  const file = join(tempDir(t), name);
  writeFileSync(file, content);
  return file;
}
