import { isUtf8 } from 'node:buffer';

/**
 * A stored value as text to print: the value itself when it is valid UTF-8, otherwise quoted and
 * escaped as redis-cli does (`"\xff\x00a\n"`), so that bytes that are not text are never mangled.
 */
export function printableValue(value: Buffer): string {
  return isUtf8(value) ? value.toString('utf8') : quotedBytes(value);
}

/** A stored value in JSON: a string when it is valid UTF-8, otherwise `{"base64": "..."}`. */
export function jsonValue(value: Buffer): string | { base64: string } {
  return isUtf8(value) ? value.toString('utf8') : { base64: value.toString('base64') };
}

const ESCAPES: Readonly<Record<number, string>> = {
  0x5c: '\\\\',
  0x22: '\\"',
  0x0a: '\\n',
  0x0d: '\\r',
  0x09: '\\t',
  0x07: '\\a',
  0x08: '\\b',
};

/** redis-cli's quoted form: printable ASCII as it is, a few C escapes, and `\xHH` for any other byte. */
export function quotedBytes(value: Buffer): string {
  let out = '"';
  for (const byte of value) {
    const escape = ESCAPES[byte];
    if (escape !== undefined) out += escape;
    else if (byte >= 0x20 && byte < 0x7f) out += String.fromCharCode(byte);
    else out += `\\x${byte.toString(16).padStart(2, '0')}`;
  }
  return `${out}"`;
}
