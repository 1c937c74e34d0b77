import test from 'ava';
import { BrainerError, InvalidOptionError } from '@brainer/protocol';
import { errorCode, exitCodeFor, formatError, oneLineMessage } from '../src/format-error.js';
import { UsageError } from '../src/errors.js';

test('a BrainerError prints its code and message on one line', (t) => {
  const err = new BrainerError('ERR_TIMEOUT', 'no answer within 300 ms');
  t.is(formatError(err), 'Error [ERR_TIMEOUT]: no answer within 300 ms');
  t.is(exitCodeFor(err), 1);
});

test('an invalid option is a usage error (exit 2)', (t) => {
  const err = new InvalidOptionError('--broker', 'must be an endpoint');
  t.is(errorCode(err), 'ERR_INVALID_OPTION');
  t.is(exitCodeFor(err), 2);
});

test("oclif's flag-parse wrapping is unwrapped, and the flag is named", (t) => {
  const err = new Error('Parsing --timeout \n\tExpected an integer but received: abc\nSee more help with --help');
  t.is(
    formatError(err, { helpHint: 'brainer-cli get --help' }),
    'Error [ERR_USAGE]: --timeout: Expected an integer but received: abc; see brainer-cli get --help',
  );
  t.is(exitCodeFor(err), 2);
});

test('a wrapped BrainerError keeps its own message, which already names the field', (t) => {
  const err = new InvalidOptionError('--broker', 'must be an endpoint, got "x"');
  err.message = `Parsing --broker \n\t${err.message}\nSee more help with --help`;
  t.is(oneLineMessage(err), 'option "--broker" must be an endpoint, got "x"');
});

test('multi-line messages become one line', (t) => {
  t.is(oneLineMessage(new Error('first\n  second\n\nthird:')), 'first second third');
});

test('a usage error gets the help hint; a runtime error does not', (t) => {
  t.is(
    formatError(new UsageError('unknown command "x"'), { helpHint: 'brainer-cli --help' }),
    'Error [ERR_USAGE]: unknown command "x"; see brainer-cli --help',
  );
  t.is(formatError(new Error('boom'), { helpHint: 'brainer-cli --help' }), 'Error: boom');
});

test('--debug adds the stack and the causes', (t) => {
  const cause = new Error('inner');
  const err = new BrainerError('ERR_TIMEOUT', 'outer', { cause });
  const lines = formatError(err, { debug: true }).split('\n');
  t.is(lines[0], 'Error [ERR_TIMEOUT]: outer');
  t.true(lines.some((l) => l.startsWith('    at ')));
  t.true(lines.some((l) => l.startsWith('Caused by: Error: inner')));
});
