/** Reads a whole-number flag, or exits with a usage error (code 2) that names it. */
export function count(name: string, text: string | undefined, min = 0): number {
  const value = Number(text);
  if (!Number.isSafeInteger(value) || value < min) {
    console.error(`--${name} must be a whole number of at least ${min}, got ${String(text)}`);
    process.exit(2);
  }
  return value;
}
