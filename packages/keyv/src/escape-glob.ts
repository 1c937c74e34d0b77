/** Escapes the characters that Brainer's Redis-style globs treat specially, so `text` matches only itself. */
export function escapeGlob(text: string): string {
  return text.replace(/[*?[\]\\]/g, '\\$&');
}
