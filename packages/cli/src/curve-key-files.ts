import { constants } from 'node:fs';
import { chmod, mkdir, open, readFile, stat, unlink } from 'node:fs/promises';
import { join, resolve } from 'node:path';
import { requirePrivateFile } from './file-permissions.js';
import {
  CURVE_KEY_LENGTH,
  InvalidOptionError,
  curvePublicKeyOf,
  isCurveKey,
  requireCurveKeyPair,
  type CurveKeyPair,
} from '@brainer/protocol';

/*
 * Key files, as `brainer-cli keygen` writes them:
 *
 *   NAME.pub   the public key on a line of its own, under a comment. Any number of these
 *              concatenated make an allowlist (`cat *.pub > allowed-keys`).
 *   NAME.key   the key pair, mode 0600: lines `public-key: K` and `secret-key: K`. The public key is
 *              there for convenience; it is checked against the one derived from the secret key,
 *              and may be left out.
 *
 * In both, a line that starts with `#` is a comment, and a key may be followed by ` # a note`. All
 * keys are Z85, 40 characters. keygen never makes a public key that starts with `#`.
 */

/** What goes in a public key file: one key, under a comment. */
export function formatPublicKeyFile(name: string, publicKey: string): string {
  return [
    `# Brainer CURVE public key "${name}" (Z85). Safe to share: list it in a broker's --allowed-keys file,`,
    '# or give it to clients and nodes as --broker-key-file when this is the broker key.',
    publicKey,
    '',
  ].join('\n');
}

/** What goes in a key pair file. */
export function formatKeyPairFile(name: string, pair: CurveKeyPair): string {
  return [
    `# Brainer CURVE key pair "${name}" (Z85). Keep this file secret: mode 0600, never share it.`,
    `public-key: ${pair.publicKey}`,
    `secret-key: ${pair.secretKey}`,
    '',
  ].join('\n');
}

/**
 * The public keys in a key list: one per line, `#` comments and blank lines allowed. `field` (the
 * flag) and `source` (the file) go into the error, with the line number.
 */
export function parseKeyList(text: string, field: string, source: string): string[] {
  const keys: string[] = [];
  text.split(/\r?\n/).forEach((raw, index) => {
    const line = raw.trim();
    if (line === '' || line.startsWith('#')) return;
    const [key, ...rest] = line.split(/\s+/);
    if (!isCurveKey(key) || (rest.length > 0 && !rest[0]!.startsWith('#'))) {
      throw new InvalidOptionError(
        field,
        `${source} line ${index + 1}: expected a Z85 public key (${CURVE_KEY_LENGTH} characters), then an optional # comment`,
      );
    }
    keys.push(key);
  });
  return keys;
}

/** The key pair in a key pair file. A `public-key` line, if there, must belong to the `secret-key`. */
export function parseKeyPairFile(text: string, field: string, source: string): CurveKeyPair {
  const found: Partial<Record<'public-key' | 'secret-key', string>> = {};
  text.split(/\r?\n/).forEach((raw, index) => {
    const line = raw.trim();
    if (line === '' || line.startsWith('#')) return;
    const match = /^(public-key|secret-key):\s*(\S+)\s*(#.*)?$/.exec(line);
    if (!match && isCurveKey(line.split(/\s+/)[0])) {
      throw new InvalidOptionError(
        field,
        `${source} line ${index + 1} is a bare public key: give the key pair file (NAME.key), not NAME.pub`,
      );
    }
    if (!match || found[match[1] as 'public-key' | 'secret-key'] !== undefined) {
      throw new InvalidOptionError(field, `${source} line ${index + 1}: expected one "public-key: K" and one "secret-key: K" line`);
    }
    found[match[1] as 'public-key' | 'secret-key'] = match[2];
  });
  const secretKey = found['secret-key'];
  if (secretKey === undefined) throw new InvalidOptionError(field, `${source} holds no "secret-key:" line; is it a public key file?`);
  if (!isCurveKey(secretKey)) throw new InvalidOptionError(field, `${source}: the secret key is not a Z85 CURVE key`);
  const publicKey = found['public-key'] ?? curvePublicKeyOf(secretKey);
  try {
    return requireCurveKeyPair('public-key', publicKey, 'secret-key', secretKey);
  } catch (error) {
    throw new InvalidOptionError(field, `${source}: ${(error as Error).message}`);
  }
}

/** Reads a key pair file. One that another user owns, or that others than its owner may read, is refused (ERR_UNSAFE_FILE). */
export async function readKeyPairFile(path: string, field: string): Promise<CurveKeyPair> {
  const pair = parseKeyPairFile(await readFile(path, 'utf8'), field, path);
  await requirePrivateFile(path, field, 'read');
  return pair;
}

/**
 * Reads a list of public keys (an allowlist, or a public key file), which may be empty. One that
 * another user owns, or that others than its owner may write, is refused (ERR_UNSAFE_FILE): whoever
 * can change it decides who gets in.
 */
export async function readKeyListFile(path: string, field: string): Promise<string[]> {
  const keys = parseKeyList(await readFile(path, 'utf8'), field, path);
  await requirePrivateFile(path, field, 'write');
  return keys;
}

/** Reads a file that holds exactly one public key, such as a `.pub` file from keygen. */
export async function readPublicKeyFile(path: string, field: string): Promise<string> {
  const keys = await readKeyListFile(path, field);
  if (keys.length !== 1) throw new InvalidOptionError(field, `${path} must hold exactly one public key, but holds ${keys.length}`);
  return keys[0]!;
}

export interface WrittenKeyFiles {
  publicKeyFile: string;
  secretKeyFile: string;
}

/**
 * Writes `NAME.pub` (mode 0644) and `NAME.key` (mode 0600) in `dir`, creating `dir` (mode 0700) if
 * needed. The secret file is created with its mode, so it is never readable by others, not even for
 * a moment. Existing files are an EEXIST error unless `force` is set.
 */
export async function writeKeyFiles(dir: string, name: string, pair: CurveKeyPair, force: boolean): Promise<WrittenKeyFiles> {
  await mkdir(dir, { recursive: true, mode: 0o700 });
  const publicKeyFile = resolve(join(dir, `${name}.pub`));
  const secretKeyFile = resolve(join(dir, `${name}.key`));
  if (!force) {
    for (const path of [publicKeyFile, secretKeyFile]) {
      if (
        await stat(path).then(
          () => true,
          () => false,
        )
      ) {
        throw Object.assign(new Error(`${path} already exists; use --force to replace it`), { code: 'EEXIST' });
      }
    }
  }
  await writeNew(secretKeyFile, formatKeyPairFile(name, pair), 0o600);
  await writeNew(publicKeyFile, formatPublicKeyFile(name, pair.publicKey), 0o644);
  return { publicKeyFile, secretKeyFile };
}

/** Creates a file with `mode` (replacing any file there), and sets the mode again in case the umask took bits away. */
async function writeNew(path: string, text: string, mode: number): Promise<void> {
  await unlink(path).catch((error: NodeJS.ErrnoException) => {
    if (error.code !== 'ENOENT') throw error;
  });
  const file = await open(path, constants.O_WRONLY | constants.O_CREAT | constants.O_EXCL, mode);
  try {
    await file.writeFile(text, 'utf8');
  } finally {
    await file.close();
  }
  await chmod(path, mode);
}
