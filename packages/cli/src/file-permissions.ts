import { stat } from 'node:fs/promises';

/** A secret or trusted file that other local users could read or change: refused, as ssh refuses such keys. */
export class UnsafeFileError extends Error {
  readonly code = 'ERR_UNSAFE_FILE';

  constructor(message: string) {
    super(message);
    this.name = 'UnsafeFileError';
  }
}

/**
 * Refuses a file that belongs to another user (root aside), or whose mode lets others than its owner
 * do what `forbidden` says: `read` for a secret key (mode bits 077), `write` for a list of keys that
 * decides who gets in (bits 022). The message says how to fix the file.
 */
export async function requirePrivateFile(path: string, field: string, forbidden: 'read' | 'write'): Promise<void> {
  const { mode, uid } = await stat(path);
  const self = process.getuid?.();
  if (self !== undefined && uid !== self && uid !== 0) {
    throw new UnsafeFileError(
      `${field}: ${path} belongs to another user (uid ${uid}), who could change it; refusing it. Fix: chown ${self} ${path}, as that user or root`,
    );
  }
  const loose = mode & (forbidden === 'read' ? 0o077 : 0o022);
  if (loose !== 0) {
    const fix = forbidden === 'read' ? `chmod 600 ${path}` : `chmod go-w ${path}`;
    const what = forbidden === 'read' ? 'readable' : 'writable';
    throw new UnsafeFileError(
      `${field}: ${path} is ${what} by others than its owner (mode ${(mode & 0o777).toString(8)}); refusing it. Fix: ${fix}`,
    );
  }
}
