import { BrainerError } from '@brainer/protocol';

/** Room in a form body beyond the value itself: `value=` and a few small fields. */
export const FORM_OVERHEAD_BYTES = 1024;

const utf8 = new TextDecoder('utf-8', { fatal: true });

/**
 * The value of a form body (`value=...`, URL-encoded). Exactly one `value` field is required: a body
 * without one is refused rather than stored as it is, since it is most often a raw value that curl's
 * `-d` labelled as a form. A value that does not decode to UTF-8 is refused too, rather than stored
 * with U+FFFD in place of its bytes: send binary values raw.
 */
export function formValue(body: Buffer): Buffer {
  const values: Buffer[] = [];
  // latin1 keeps one character a byte, so that the percent-decoding below sees the bytes as sent.
  for (const field of body.toString('latin1').split('&')) {
    const equals = field.indexOf('=');
    const name = decodeComponent(equals === -1 ? field : field.slice(0, equals));
    if (name.equals(VALUE)) values.push(decodeComponent(equals === -1 ? '' : field.slice(equals + 1)));
  }
  if (values.length !== 1) {
    throw new BrainerError(
      'ERR_BAD_REQUEST',
      values.length === 0
        ? 'a form body (Content-Type application/x-www-form-urlencoded, as curl -d sends) needs value=...; send a raw value with another Content-Type, such as application/octet-stream'
        : 'a form body may hold only one value field',
    );
  }
  const value = values[0]!;
  try {
    utf8.decode(value);
  } catch (error) {
    throw new BrainerError(
      'ERR_BAD_REQUEST',
      'the form value is not valid UTF-8 once decoded; send binary values raw, with Content-Type application/octet-stream',
      { cause: error },
    );
  }
  return value;
}

const VALUE = Buffer.from('value');

/** Percent-decodes a form field to its bytes, `+` as a space. */
function decodeComponent(text: string): Buffer {
  const decoded = text.replace(/\+/g, ' ').replace(/%([0-9A-Fa-f]{2})/g, (_, hex: string) => String.fromCharCode(Number.parseInt(hex, 16)));
  return Buffer.from(decoded, 'latin1');
}
