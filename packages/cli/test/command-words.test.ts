import test from 'ava';
import { closestCommands, commandInLowerCase } from '../src/command-words.js';

const KNOWN = new Set(['get', 'set', 'mget', 'bucket', 'bucket:get']);
const isKnown = (id: string): boolean => KNOWN.has(id);

test('command names are rewritten to their case; arguments and flags are not', (t) => {
  t.deepEqual(commandInLowerCase(['GET', 'KEY', '--json'], isKnown), ['get', 'KEY', '--json']);
  t.deepEqual(commandInLowerCase(['Bucket', 'GET', 'B'], isKnown), ['bucket', 'get', 'B']);
  t.deepEqual(commandInLowerCase(['--broker', 'E', 'GET'], isKnown), ['--broker', 'E', 'GET']);
  t.deepEqual(commandInLowerCase(['SETT', 'k'], isKnown), ['SETT', 'k']);
});

test('a typo gets the commands a couple of edits away, closest first', (t) => {
  t.deepEqual(closestCommands('sett', ['set', 'get', 'mget', 'exists']), ['set', 'get']);
  t.deepEqual(closestCommands('exsits', ['set', 'exists']), ['exists']);
  t.deepEqual(closestCommands('zzzz', ['set', 'exists']), []);
});
