import { BrainerError } from './errors.js';

/**
 * Compiles a Redis-style glob (`*`, `?`, `[abc]`, `[^a-z]`, `\` to escape) into a matcher. Unlike
 * path globs, `*` matches any character, `/` and `:` included. A `[` that is never closed, or a
 * class that cannot be (`[z-a]`), throws ERR_BAD_PATTERN; `\[` matches a `[`.
 */
export function compileGlob(pattern: string): (value: string) => boolean {
  if (pattern === '*') return () => true;
  let source = '';
  for (let i = 0; i < pattern.length; i++) {
    const char = pattern[i]!;
    if (char === '*') source += '[\\s\\S]*';
    else if (char === '?') source += '[\\s\\S]';
    else if (char === '\\' && i + 1 < pattern.length) source += escapeRegExp(pattern[++i]!);
    else if (char === '[') {
      const close = pattern.indexOf(']', i + 2);
      if (close === -1) throw badPattern(pattern, `the "[" at ${i} is never closed`);
      let body = pattern.slice(i + 1, close);
      const negate = body.startsWith('^') || body.startsWith('!');
      if (negate) body = body.slice(1);
      source += `[${negate ? '^' : ''}${body.replace(/[\]\\]/g, '\\$&')}]`;
      i = close;
    } else source += escapeRegExp(char);
  }
  let regex: RegExp;
  try {
    regex = new RegExp(`^${source}$`, 'u');
  } catch (error) {
    throw badPattern(pattern, (error as Error).message, error);
  }
  return (value) => regex.test(value);
}

function badPattern(pattern: string, reason: string, cause?: unknown): BrainerError {
  return new BrainerError('ERR_BAD_PATTERN', `invalid pattern ${JSON.stringify(pattern)}: ${reason}`, { cause });
}

function escapeRegExp(char: string): string {
  return char.replace(/[.*+?^${}()|[\]\\/]/g, '\\$&');
}
