import test from 'ava';
import { BrokerLifecycle, type BrokerState } from '../src/lifecycle.js';

const ALL: BrokerState[] = ['standby', 'recovering', 'serving', 'deposed'];
const ALLOWED = new Set(['standby>recovering', 'standby>deposed', 'recovering>serving', 'recovering>deposed', 'serving>deposed']);

/** A lifecycle brought to `state` along the allowed path. */
function at(state: BrokerState, changes: string[] = []): BrokerLifecycle {
  const lifecycle = new BrokerLifecycle((from, to) => changes.push(`${from}>${to}`));
  const path: Record<BrokerState, BrokerState[]> = {
    standby: [],
    recovering: ['recovering'],
    serving: ['recovering', 'serving'],
    deposed: ['deposed'],
  };
  for (const step of path[state]) lifecycle.moveTo(step);
  return lifecycle;
}

test('a broker starts in standby, and may send until it is deposed', (t) => {
  const lifecycle = new BrokerLifecycle();
  t.is(lifecycle.state, 'standby');
  t.true(lifecycle.maySend);
  t.false(lifecycle.serving);
});

for (const from of ALL) {
  for (const to of ALL) {
    const allowed = ALLOWED.has(`${from}>${to}`);
    test(`${from} → ${to} is ${allowed ? 'a transition' : 'refused'}`, (t) => {
      const changes: string[] = [];
      const lifecycle = at(from, changes);
      changes.length = 0;
      if (allowed) {
        lifecycle.moveTo(to);
        t.is(lifecycle.state, to);
        t.deepEqual(changes, [`${from}>${to}`]);
        t.is(lifecycle.serving, to === 'serving');
        t.is(lifecycle.maySend, to !== 'deposed');
      } else {
        t.throws(() => lifecycle.moveTo(to), { message: `a broker cannot go from ${from} to ${to}` });
        t.is(lifecycle.state, from, 'a refused transition changes nothing');
        t.deepEqual(changes, []);
      }
    });
  }
}
