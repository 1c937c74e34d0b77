import test from 'ava';
import { ERROR_CODES } from '@brainer/protocol';
import { httpStatusFor } from '../src/http-status.js';

test('input the caller can fix is a 4xx, a cluster that cannot serve yet a 503', (t) => {
  t.is(httpStatusFor('ERR_BAD_PATTERN'), 400);
  t.is(httpStatusFor('ERR_FRAME_TOO_LARGE'), 413);
  t.is(httpStatusFor('ERR_VALUE_TOO_LARGE'), 413);
  t.is(httpStatusFor('ERR_NOT_READY'), 503);
  t.is(httpStatusFor('ERR_NO_NODES'), 503);
});

test('every code a client can be answered with has a status; only internal faults are 500', (t) => {
  // Codes that never reach a client as a reply: errors between broker and nodes, or flags in `nodes`.
  const neverAReply = new Set([
    'ERR_INTERNAL',
    'ERR_WRONG_ROLE',
    'ERR_UNKNOWN_NODE',
    'ERR_UNKNOWN_MESSAGE',
    'ERR_BAD_VERSION',
    'ERR_DATA_AHEAD',
    'ERR_DATA_LOST',
    'ERR_STORAGE',
    'ERR_NODE_ID_TAKEN',
    // A node's answer to a deposed broker.
    'ERR_STALE_EPOCH',
    'ERR_INVALID_OPTION',
    // Start-up refusals of a server process, never an answer to a request.
    'ERR_UNSAFE_ENDPOINT',
    'ERR_ENDPOINT_ACCESS',
    'ERR_ENDPOINT_DIR_MISSING',
  ]);
  const unmapped = ERROR_CODES.filter((code) => httpStatusFor(code) === 500 && !neverAReply.has(code));
  t.deepEqual(unmapped, []);
  t.is(httpStatusFor('ERR_SOMETHING_NEW'), 500);
});
