import { UsageError } from './errors.js';

/** Redis's memory units: k, m and g are powers of 1000; kb, mb and gb of 1024. Case does not matter. */
const UNITS: Record<string, number> = {
  '': 1,
  b: 1,
  k: 1000,
  kb: 1024,
  m: 1000 ** 2,
  mb: 1024 ** 2,
  g: 1000 ** 3,
  gb: 1024 ** 3,
};

/**
 * A size in bytes written as Redis writes it in its config (`maxmemory 64mb`): a whole number with
 * an optional unit. Anything else is a UsageError naming `flag`.
 */
export function parseByteSize(flag: string, input: string): number {
  const match = /^(\d+)\s*([a-z]*)$/i.exec(input.trim());
  const scale = match ? UNITS[match[2]!.toLowerCase()] : undefined;
  const bytes = match && scale !== undefined ? Number(match[1]) * scale : NaN;
  if (!Number.isSafeInteger(bytes)) {
    throw new UsageError(`${flag}: ${JSON.stringify(input)} is not a size; give bytes, or a number with k, kb, m, mb, g or gb (64mb, 1gb)`);
  }
  return bytes;
}
