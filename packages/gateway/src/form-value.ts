import { BrainerError } from '@brainer/protocol';

/**
 * The value of a form body (`value=...`, URL-encoded). Exactly one `value` field is required: a body
 * without one is refused rather than stored as it is, since it is most often a raw value that curl's
 * `-d` labelled as a form.
 */
export function formValue(body: string): Buffer {
  const values = new URLSearchParams(body).getAll('value');
  if (values.length === 1) return Buffer.from(values[0]!);
  throw new BrainerError(
    'ERR_BAD_REQUEST',
    values.length === 0
      ? 'a form body (Content-Type application/x-www-form-urlencoded, as curl -d sends) needs value=...; send a raw value with another Content-Type, such as application/octet-stream'
      : 'a form body may hold only one value field',
  );
}
