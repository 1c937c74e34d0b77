import { setTimeout as delay } from 'node:timers/promises';
import test from 'ava';
import { runCli, startCluster } from '@brainer/test-utils';
import { assertCliError } from './assert-cli-error.js';
import { postalCodes, postalCodesCsv, postalCodesJsonl } from './postal-codes.js';
import { runCliBytes } from './run-cli-bytes.js';
import { tempFile } from '../../src/index.js';

const CODES = postalCodes();

/** Every 97th code: a spread of US and Canadian ones. */
const SAMPLE = CODES.filter((_, i) => i % 97 === 0);

test('load streams the 44,175 postal codes of the zipcodes package from CSV, and every node holds them all', async (t) => {
  t.is(CODES.length, 44_175);
  const file = tempFile(t, 'postcodes.csv', postalCodesCsv(CODES));
  const cluster = await startCluster({ nodes: 3 });
  t.teardown(() => cluster.stop());

  const result = await runCli(['load', file, '--key-field', 'zip', '--value-field', 'city', '--broker', cluster.endpoint], {
    timeoutMs: 120_000,
  });
  t.is(result.code, 0, result.stderr);
  t.is(result.stderr, '');
  t.regex(result.stdout, /^loaded 44175 of 44175 records from .*postcodes\.csv in [\d.]+ s \(\d+ records\/s\), 0 failed\n$/);
  t.log(result.stdout.trim());

  const client = await cluster.client();
  t.deepEqual(
    await Promise.all(SAMPLE.map((code) => client.get(code.zip))),
    SAMPLE.map((code) => code.city),
  );
  const nodes = await client.nodes();
  t.deepEqual(
    nodes.map((node) => node.keys),
    [44_175, 44_175, 44_175],
  );
  t.true((await client.verify()).ok);
});

test('load --json reads JSON Lines and stores whole records when no value field is given', async (t) => {
  const file = tempFile(t, 'postcodes.jsonl', postalCodesJsonl(CODES));
  const cluster = await startCluster({ nodes: 2 });
  t.teardown(() => cluster.stop());

  const result = await runCli(
    ['load', file, '--key-field', 'zip', '--batch', '400', '--wait', 'primary', '--json', '--broker', cluster.endpoint],
    {
      timeoutMs: 120_000,
    },
  );
  t.is(result.code, 0, result.stderr);
  const summary = JSON.parse(result.stdout) as Record<string, unknown>;
  t.like(summary, { format: 'jsonl', records: 44_175, loaded: 44_175, failed: 0, failures: [] });
  t.true((summary.recordsPerSecond as number) > 0);

  const client = await cluster.client();
  const stored = await Promise.all(SAMPLE.map((code) => client.get(code.zip)));
  t.deepEqual(
    stored.map((value) => JSON.parse(value ?? 'null') as unknown),
    SAMPLE,
  );
});

test('load reports every bad line with its number, stores the rest, and exits 1', async (t) => {
  const lines = [
    'zip,city,state', // 1
    '10001,New York,NY', // 2
    '10002,New York,NY,extra', // 3: one column too many
    ',Nowhere,XX', // 4: no key
    '', // 5: skipped
    `10003,"${'x'.repeat(300)}",NY`, // 6: value over the broker's limit
    '10004,"Two', // 7
    'lines",NY', // 8
    '10005,Last,NY', // 9
  ];
  const file = tempFile(t, 'bad.csv', lines.join('\n'));
  const cluster = await startCluster({ nodes: 2, brokerArgs: ['--max-value-bytes', '100'] });
  t.teardown(() => cluster.stop());

  const result = await runCli(['load', file, '--key-field', 'zip', '--value-field', 'city', '--broker', cluster.endpoint]);
  t.is(result.code, 1);
  t.deepEqual(result.stderr.trim().split('\n'), [
    'line 3: ERR_BAD_RECORD Invalid Record Length: columns length is 3, got 4 on line 3',
    'line 4: ERR_BAD_KEY "zip" is empty',
    'line 6: ERR_VALUE_TOO_LARGE value is 300 bytes; the limit is 100',
  ]);
  t.regex(result.stdout, /^loaded 3 of 6 records from .*bad\.csv in [\d.]+ s \(\d+ records\/s\), 3 failed\n$/);

  const client = await cluster.client();
  t.deepEqual(await Promise.all(['10001', '10003', '10004', '10005'].map((zip) => client.get(zip))), [
    'New York',
    null,
    'Two\nlines',
    'Last',
  ]);
});

test('load refuses a file whose format it cannot tell, and a missing file, before it connects', async (t) => {
  const unknown = await runCli(['load', 'data.txt', '--broker', 'tcp://127.0.0.1:1']);
  t.is(unknown.code, 2);
  t.regex(unknown.stderr, /^Error \[ERR_USAGE\]: cannot tell the format of data\.txt from its name: give --format csv, tsv or jsonl/);
  const missing = await runCli(['load', 'no-such-file.csv', '--broker', 'tcp://127.0.0.1:1']);
  assertCliError(t, missing, { code: 'ERR_USAGE', exit: 2, includes: 'no such file: no-such-file.csv' });
  assertCliError(t, await runCli(['load', '.', '--format', 'csv', '--broker', 'tcp://127.0.0.1:1']), {
    code: 'ERR_USAGE',
    exit: 2,
    includes: 'is a directory',
  });
  assertCliError(t, await runCli(['load', '-', '--broker', 'tcp://127.0.0.1:1']), { code: 'ERR_USAGE', exit: 2, includes: '--format' });
});

test('load - reads the records from standard input', async (t) => {
  const cluster = await startCluster({ nodes: 1 });
  t.teardown(() => cluster.stop());
  const result = await runCliBytes(['load', '-', '--format', 'jsonl', '--value-field', 'city', '--broker', cluster.endpoint], {
    stdin: async (stdin) => {
      stdin.write('{"zip":"10001","city":"New York"}\n');
      // Records that come slowly are waited for.
      await delay(300);
      stdin.end('{"zip":"10005","city":"Last"}\n');
    },
  });
  t.is(result.code, 0, result.stderr);
  t.regex(result.stdout.toString(), /^loaded 2 of 2 records from - in /);
  const client = await cluster.client();
  t.deepEqual(await Promise.all([client.get('10001'), client.get('10005')]), ['New York', 'Last']);
});
