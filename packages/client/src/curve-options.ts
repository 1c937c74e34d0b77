import { InvalidOptionError, requireCurveKey, requireCurveKeyPair } from '@brainer/protocol';

/** The CURVE keys a client connects with, all Z85 (40 characters), as `brainer-cli keygen` writes them. */
export interface CurveClientOptions {
  /** The public key of the server: the broker's (or, to read from a node directly, the node key). */
  serverKey: string;
  /** The client's public key. The broker must have it on its allowlist. */
  publicKey: string;
  /** The client's secret key, the pair of `publicKey`. */
  secretKey: string;
  /**
   * The nodes' public key (their shared key pair's), for direct reads. Without it, a CURVE client
   * reads through the broker.
   */
  nodeServerKey?: string | undefined;
}

/** Checks the `curve` option: three keys, and a public key that belongs to the secret key. */
export function requireCurveClientOptions(curve: unknown): CurveClientOptions {
  if (typeof curve !== 'object' || curve === null)
    throw new InvalidOptionError('curve', 'must be an object { serverKey, publicKey, secretKey }');
  const { serverKey, publicKey, secretKey, nodeServerKey } = curve as Partial<CurveClientOptions>;
  requireCurveKey('curve.serverKey', serverKey);
  if (nodeServerKey !== undefined) requireCurveKey('curve.nodeServerKey', nodeServerKey);
  const pair = requireCurveKeyPair('curve.publicKey', publicKey, 'curve.secretKey', secretKey);
  return { serverKey: serverKey!, ...pair, ...(nodeServerKey === undefined ? {} : { nodeServerKey }) };
}
