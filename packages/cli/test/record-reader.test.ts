import { dirname } from 'node:path';
import test from 'ava';
import { formatOfFile, type LoadFormat, type LoadRecord, type RecordFields } from '../src/load/load-record.js';
import { RecordReader } from '../src/load/record-reader.js';
import { tempFile } from './temp-file.js';

async function read(file: string, format: LoadFormat, fields: RecordFields = {}): Promise<LoadRecord[]> {
  const records: LoadRecord[] = [];
  for await (const record of new RecordReader(file, format, fields)) records.push(record);
  return records;
}

/** Each record as `line key=value` or `line CODE`. */
function brief(records: LoadRecord[]): string[] {
  return records.map((r) => ('problem' in r ? `${r.line} ${r.problem.code}` : `${r.line} ${r.key}=${r.value}`));
}

test('CSV: the header names the fields, bad rows become problems at their line, and reading goes on', async (t) => {
  const file = await tempFile(
    t,
    'postcodes.csv',
    [
      'zip,city,state',
      '10001,New York,NY',
      '10002,"New York",NY,extra',
      ',Nowhere,XX',
      '',
      '10003,"Multi',
      'line",NY',
      '10004,a"b,NY',
      '10005,"Comma, Inc",NY',
      '10006,Last,NY',
    ].join('\n'),
  );
  t.deepEqual(brief(await read(file, 'csv', { keyField: 'zip', valueField: 'city' })), [
    '2 10001=New York',
    '3 ERR_BAD_RECORD',
    '4 ERR_BAD_KEY',
    '6 10003=Multi\nline',
    '8 10004=a"b',
    '9 10005=Comma, Inc',
    '10 10006=Last',
  ]);
  const [first, second] = await read(file, 'csv');
  t.deepEqual(
    first,
    { line: 2, key: '10001', value: '{"zip":"10001","city":"New York","state":"NY"}' },
    'by default: the first column, and the whole row',
  );
  t.deepEqual(second, {
    line: 3,
    problem: { code: 'ERR_BAD_RECORD', message: 'Invalid Record Length: columns length is 3, got 4 on line 3' },
  });
});

test('CSV: CRLF line ends and a byte order mark are read as such', async (t) => {
  const file = await tempFile(t, 'bom.csv', '\uFEFFk,v\r\na,1\r\n\r\nb,2\r\n');
  t.deepEqual(brief(await read(file, 'csv', { valueField: 'v' })), ['2 a=1', '4 b=2']);
});

test('CSV: a missing key or value field is a problem of each record, and a duplicate column stops the file at line 1', async (t) => {
  const file = await tempFile(t, 'fields.csv', 'a,b\n1,2\n');
  t.deepEqual(
    (await read(file, 'csv', { keyField: 'zip' })).map((r) => ('problem' in r ? r.problem.message : '')),
    ['no "zip" field'],
  );
  t.deepEqual(brief(await read(file, 'csv', { valueField: 'c' })), ['2 ERR_BAD_RECORD']);
  const duplicate = await tempFile(t, 'dup.csv', 'a,a,b\n1,2,3\n');
  t.deepEqual(await read(duplicate, 'csv'), [
    { line: 1, problem: { code: 'ERR_BAD_RECORD', message: 'the header names the column "a" twice' } },
  ]);
});

test('TSV: tabs separate fields, and quotes are ordinary characters', async (t) => {
  const file = await tempFile(t, 'x.tsv', 'k\tv\n1\t"quoted, with comma"\n2\n3\tthree\n');
  t.deepEqual(brief(await read(file, 'tsv', { valueField: 'v' })), ['2 1="quoted, with comma"', '3 ERR_BAD_RECORD', '4 3=three']);
});

test('JSON Lines: each line an object; bad JSON, non-objects and bad keys are problems at their line', async (t) => {
  const file = await tempFile(
    t,
    'x.jsonl',
    [
      '{"id":1,"name":"Ada","tags":["x"]}',
      '{"id":',
      '',
      '[1,2]',
      '{"name":"no id"}',
      '{"id":{"nested":true}}',
      '  {"id":"s7","name":"Grace"}  ',
    ].join('\n'),
  );
  t.deepEqual(brief(await read(file, 'jsonl', { keyField: 'id', valueField: 'tags' })), [
    '1 1=["x"]',
    '2 ERR_BAD_RECORD',
    '4 ERR_BAD_RECORD',
    '5 ERR_BAD_KEY',
    '6 ERR_BAD_KEY',
    '7 ERR_BAD_RECORD',
  ]);
  t.deepEqual((await read(file, 'jsonl'))[0], { line: 1, key: '1', value: '{"id":1,"name":"Ada","tags":["x"]}' });
});

test('a file that cannot be read fails the reading with its own error, not as a bad record', async (t) => {
  const dir = dirname(await tempFile(t, 'x.csv', ''));
  for (const format of ['csv', 'tsv', 'jsonl'] as const) {
    await t.throwsAsync(read(dir, format), { code: 'EISDIR' }, format);
  }
});

test('the format comes from the extension', (t) => {
  t.is(formatOfFile('a.csv'), 'csv');
  t.is(formatOfFile('dir.v2/A.TSV'), 'tsv');
  t.is(formatOfFile('a.tab'), 'tsv');
  t.is(formatOfFile('a.ndjson'), 'jsonl');
  t.is(formatOfFile('a.jsonl'), 'jsonl');
  t.is(formatOfFile('a.txt'), undefined);
  t.is(formatOfFile('csv'), undefined);
});
