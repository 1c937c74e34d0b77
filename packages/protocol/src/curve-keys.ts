import { createPrivateKey, createPublicKey, generateKeyPairSync } from 'node:crypto';
import { InvalidOptionError } from './errors.js';
import { z85Decode, z85Encode } from './z85.js';

/** Characters of a Z85-encoded CURVE key (32 bytes). */
export const CURVE_KEY_LENGTH = 40;

/** A CURVE key pair, both keys Z85-encoded. */
export interface CurveKeyPair {
  publicKey: string;
  secretKey: string;
}

// CURVE keys are Curve25519 keys, which node:crypto knows as X25519. These DER prefixes wrap a raw
// 32-byte key as PKCS#8 (secret) and SPKI (public).
const PKCS8_X25519_PREFIX = Buffer.from('302e020100300506032b656e04220420', 'hex');
const SPKI_X25519_PREFIX = Buffer.from('302a300506032b656e032100', 'hex');

/** Whether `value` is a CURVE key in Z85: 40 characters that decode to 32 bytes. */
export function isCurveKey(value: unknown): value is string {
  if (typeof value !== 'string' || value.length !== CURVE_KEY_LENGTH) return false;
  try {
    z85Decode(value);
    return true;
  } catch {
    return false;
  }
}

/** Checks that `value` is a Z85 CURVE key, naming the field when it is not. Never echoes the value: it may be a secret. */
export function requireCurveKey(field: string, value: unknown): string {
  if (!isCurveKey(value)) {
    const what = typeof value === 'string' ? `${value.length} characters` : typeof value;
    throw new InvalidOptionError(field, `must be a Z85 CURVE key (40 characters, as brainer-cli keygen writes), got ${what}`);
  }
  return value;
}

/** The public key that belongs to a secret key (X25519 scalar multiplication of the base point), both Z85. */
export function curvePublicKeyOf(secretKey: string): string {
  const privateKey = createPrivateKey({ key: Buffer.concat([PKCS8_X25519_PREFIX, z85Decode(secretKey)]), format: 'der', type: 'pkcs8' });
  const spki = createPublicKey(privateKey).export({ format: 'der', type: 'spki' });
  return z85Encode(spki.subarray(SPKI_X25519_PREFIX.length));
}

/** A new random CURVE key pair, the same kind as zeromq's `curveKeyPair()`. */
export function generateCurveKeyPair(): CurveKeyPair {
  const { privateKey, publicKey } = generateKeyPairSync('x25519');
  const pkcs8 = privateKey.export({ format: 'der', type: 'pkcs8' });
  const spki = publicKey.export({ format: 'der', type: 'spki' });
  return {
    publicKey: z85Encode(spki.subarray(SPKI_X25519_PREFIX.length)),
    secretKey: z85Encode(pkcs8.subarray(PKCS8_X25519_PREFIX.length)),
  };
}

/** Checks both keys of a pair and that the public key belongs to the secret key, naming the public key's field if not. */
export function requireCurveKeyPair(publicField: string, publicKey: unknown, secretField: string, secretKey: unknown): CurveKeyPair {
  requireCurveKey(publicField, publicKey);
  requireCurveKey(secretField, secretKey);
  if (curvePublicKeyOf(secretKey as string) !== publicKey) {
    throw new InvalidOptionError(publicField, `is not the public key of ${secretField}`);
  }
  return { publicKey: publicKey as string, secretKey: secretKey as string };
}
