import test from 'ava';
import { defaultFaultKinds, ELECTED_FAULT_KINDS, MEMORY_FAULT_KINDS, refusedFaultKinds } from '../src/fault-injector.js';

test('one broker keeps the fault lists it had, in the same order (a seed replays the same schedule)', (t) => {
  const memory = [
    'node-kill',
    'source-kill',
    'broker-kill',
    'node-pause',
    'source-pause',
    'broker-pause',
    'big-values',
    'clock-skew',
    'gateway-abuse',
  ];
  t.deepEqual(defaultFaultKinds({ persist: false, elected: false }), memory);
  t.deepEqual(MEMORY_FAULT_KINDS, memory);
  t.deepEqual(defaultFaultKinds({ persist: true, elected: false }), [
    'node-kill',
    'source-kill',
    'broker-kill',
    'node-pause',
    'cluster-kill',
    'source-pause',
    'broker-pause',
    'big-values',
    'disk-full',
    'log-damage',
    'clock-skew',
    'gateway-abuse',
  ]);
});

test('several brokers trade broker-kill and broker-pause for the leader and etcd faults', (t) => {
  const elected = defaultFaultKinds({ persist: false, elected: true });
  t.deepEqual(elected, [
    'node-kill',
    'source-kill',
    'node-pause',
    'source-pause',
    'big-values',
    'clock-skew',
    'gateway-abuse',
    'leader-kill',
    'leader-pause',
    'etcd-member-kill',
  ]);
  const persist = defaultFaultKinds({ persist: true, elected: true });
  for (const kind of ['cluster-kill', 'disk-full', 'log-damage', ...ELECTED_FAULT_KINDS] as const) t.true(persist.includes(kind), kind);
  t.false(persist.includes('broker-kill'));
});

test('a fault the cluster cannot be given is refused, saying why', (t) => {
  t.regex(refusedFaultKinds(['leader-kill', 'node-kill'], { persist: false, elected: false }) ?? '', /leader-kill need several brokers/);
  t.regex(refusedFaultKinds(['broker-pause'], { persist: false, elected: true }) ?? '', /about one broker alone/);
  t.regex(refusedFaultKinds(['cluster-kill'], { persist: false, elected: true }) ?? '', /need persist/);
  t.is(refusedFaultKinds(['etcd-member-kill', 'node-kill'], { persist: false, elected: true }), undefined);
  t.is(refusedFaultKinds(['broker-kill', 'log-damage'], { persist: true, elected: false }), undefined);
});
