import { BrainerError } from './errors.js';

/** The Z85 alphabet of ZeroMQ RFC 32: 85 printable characters, no quotes, backslash or space. */
const ALPHABET = '0123456789abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ.-:+=^!/*?&<>()[]{}@%$#';

const DIGIT_OF = new Int8Array(128).fill(-1);
for (let i = 0; i < ALPHABET.length; i++) DIGIT_OF[ALPHABET.charCodeAt(i)] = i;

/** Encodes bytes as Z85. The length must be a multiple of 4. */
export function z85Encode(data: Uint8Array): string {
  if (data.length % 4 !== 0) throw new BrainerError('ERR_BAD_REQUEST', `Z85 encodes whole 4-byte groups; got ${data.length} bytes`);
  const view = new DataView(data.buffer, data.byteOffset, data.byteLength);
  let out = '';
  for (let offset = 0; offset < data.length; offset += 4) {
    let value = view.getUint32(offset, false);
    let group = '';
    for (let i = 0; i < 5; i++) {
      group = ALPHABET[value % 85]! + group;
      value = Math.floor(value / 85);
    }
    out += group;
  }
  return out;
}

/** Decodes Z85 text. Throws ERR_MALFORMED for a length that is not a multiple of 5, a foreign character, or a group over 2^32 - 1. */
export function z85Decode(text: string): Buffer {
  if (text.length % 5 !== 0) throw new BrainerError('ERR_MALFORMED', `Z85 text comes in whole 5-character groups; got ${text.length}`);
  const out = Buffer.alloc((text.length / 5) * 4);
  for (let group = 0; group < text.length / 5; group++) {
    let value = 0;
    for (let i = 0; i < 5; i++) {
      const code = text.charCodeAt(group * 5 + i);
      const digit = code < 128 ? DIGIT_OF[code]! : -1;
      if (digit < 0) throw new BrainerError('ERR_MALFORMED', `not a Z85 character: ${JSON.stringify(text[group * 5 + i])}`);
      value = value * 85 + digit;
    }
    if (value > 0xffffffff) throw new BrainerError('ERR_MALFORMED', `Z85 group ${group} is over 2^32 - 1`);
    out.writeUInt32BE(value, group * 4);
  }
  return out;
}
