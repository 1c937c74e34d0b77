import test from 'ava';
import { parseReadyLine } from '../src/ready-line.js';

test('parseReadyLine accepts a ready line and nothing else', (t) => {
  t.deepEqual(parseReadyLine('{"event":"ready","role":"broker","endpoint":"tcp://127.0.0.1:4000","pid":1}'), {
    event: 'ready',
    role: 'broker',
    endpoint: 'tcp://127.0.0.1:4000',
    pid: 1,
  });
  t.is(parseReadyLine('2024-01-01 INFO broker: ready'), undefined);
  t.is(parseReadyLine('{"event":"ready"'), undefined);
  t.is(parseReadyLine('{"event":"stopped","endpoint":"x"}'), undefined);
});
