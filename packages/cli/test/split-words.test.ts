import test from 'ava';
import { splitWords } from '../src/repl/split-words.js';

test('the prompt splits words as redis-cli does', (t) => {
  t.deepEqual(splitWords('  set  k   v '), ['set', 'k', 'v']);
  t.deepEqual(splitWords('set k "hello world"'), ['set', 'k', 'hello world']);
  t.deepEqual(splitWords("set k 'it''s'"), ['set', 'k', 'its']);
  t.deepEqual(splitWords('set k "a\\nb\\x41\\"q\\""'), ['set', 'k', 'a\nbA"q"']);
  t.deepEqual(splitWords(''), []);
  t.throws(() => splitWords('set k "open'), { message: /unbalanced quotes/ });
});
