import test from 'ava';
import { answerZapRequest, z85Decode } from '../src/index.js';

const ALLOWED = 'Yne@$w-vo<fVvi]a<NY6T1ed:M$fCG*[IaLV{hID';
const OTHER = 'rq:rM>}U?@Lns47E1%kR.o@n%FcmmsL/@{H8]yf7';
const allow = (key: string): boolean => key === ALLOWED;

/** A request as the handler's ROUTER receives it: routing id, delimiter, then the RFC 27 body. */
function request(options: { version?: string; mechanism?: string; credentials?: Buffer[] } = {}): Buffer[] {
  return [
    Buffer.from('peer-1'),
    Buffer.alloc(0),
    Buffer.from(options.version ?? '1.0'),
    Buffer.from('req-7'),
    Buffer.from('brainer'),
    Buffer.from('127.0.0.1'),
    Buffer.alloc(0),
    Buffer.from(options.mechanism ?? 'CURVE'),
    ...(options.credentials ?? [z85Decode(ALLOWED)]),
  ];
}

const text = (frames: Buffer[] | undefined): string[] => (frames ?? []).map((f) => f.toString('utf8'));

test('an allowed CURVE key gets 200 with the envelope and request id echoed, and the key as user id', (t) => {
  const answer = answerZapRequest(request(), allow);
  t.deepEqual(text(answer.reply), ['peer-1', '', '1.0', 'req-7', '200', 'OK', ALLOWED, '']);
  t.is(answer.accepted, ALLOWED);
  t.is(answer.refusal, undefined);
});

const REFUSED: [string, Parameters<typeof request>[0], RegExp, string | undefined][] = [
  ['a key not on the allowlist', { credentials: [z85Decode(OTHER)] }, /allowlist/, OTHER],
  ['the NULL mechanism', { mechanism: 'NULL', credentials: [] }, /CURVE is required/, undefined],
  ['the PLAIN mechanism', { mechanism: 'PLAIN', credentials: [Buffer.from('u'), Buffer.from('p')] }, /CURVE is required/, undefined],
  ['a short key', { credentials: [Buffer.alloc(31)] }, /32-byte/, undefined],
  ['two credentials', { credentials: [z85Decode(ALLOWED), z85Decode(ALLOWED)] }, /32-byte/, undefined],
  ['an unknown version', { version: '2.0' }, /version/, undefined],
];

for (const [name, options, reason, publicKey] of REFUSED) {
  test(`${name} gets 400 and a refusal for the log`, (t) => {
    const answer = answerZapRequest(request(options), allow);
    const reply = text(answer.reply);
    t.deepEqual(reply.slice(0, 5), ['peer-1', '', '1.0', 'req-7', '400']);
    t.is(reply.length, 8);
    t.is(answer.accepted, undefined);
    t.regex(answer.refusal!.reason, reason);
    t.is(answer.refusal!.address, '127.0.0.1');
    t.is(answer.refusal!.publicKey, publicKey);
  });
}

test('a request too short to answer is refused without a reply', (t) => {
  for (const frames of [[], [Buffer.from('peer')], request().slice(0, 6), [Buffer.alloc(0), ...request().slice(2)]]) {
    const answer = answerZapRequest(frames, allow);
    t.is(answer.reply, undefined);
    t.regex(answer.refusal!.reason, /malformed/);
  }
});
