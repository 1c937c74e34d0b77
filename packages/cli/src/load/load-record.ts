/** The file formats `brainer-cli load` reads. */
export const LOAD_FORMATS = ['csv', 'tsv', 'jsonl'] as const;

export type LoadFormat = (typeof LOAD_FORMATS)[number];

/** Why a record cannot be loaded: a code (`ERR_BAD_RECORD`, `ERR_BAD_KEY`, or a server's) and a message. */
export interface LoadProblem {
  code: string;
  message: string;
}

/** One record of the file, by the line it starts on: a key and value to store, or why it cannot be. */
export type LoadRecord = { line: number; key: string; value: string } | { line: number; problem: LoadProblem };

/** Which fields make the key and the value. */
export interface RecordFields {
  /** The field holding the key. Default: the first column, or the first property of a JSON object. */
  keyField?: string;
  /** The field holding the value. Default: the whole record as a JSON object. */
  valueField?: string;
}

/** The format a file name implies, or undefined when its extension says nothing. */
export function formatOfFile(file: string): LoadFormat | undefined {
  const extension = /\.([a-z]+)$/i.exec(file)?.[1]?.toLowerCase();
  if (extension === 'csv') return 'csv';
  if (extension === 'tsv' || extension === 'tab') return 'tsv';
  if (extension === 'jsonl' || extension === 'ndjson') return 'jsonl';
  return undefined;
}

/**
 * Turns one parsed record (the fields of a CSV row, or a JSON object) into its key and value.
 * A key may be a string or a number; a value field that is not a string is stored as its JSON.
 */
export function recordOf(line: number, fields: Record<string, unknown>, choice: RecordFields): LoadRecord {
  const keyField = choice.keyField ?? Object.keys(fields)[0];
  if (keyField === undefined) return { line, problem: { code: 'ERR_BAD_KEY', message: 'the record has no field to take the key from' } };
  const key = fields[keyField];
  if (typeof key !== 'string' && typeof key !== 'number') {
    const message = key === undefined ? `no "${keyField}" field` : `"${keyField}" is not a string or a number`;
    return { line, problem: { code: 'ERR_BAD_KEY', message } };
  }
  if (key === '') return { line, problem: { code: 'ERR_BAD_KEY', message: `"${keyField}" is empty` } };
  if (choice.valueField === undefined) return { line, key: String(key), value: JSON.stringify(fields) };
  const value = fields[choice.valueField];
  if (value === undefined) return { line, problem: { code: 'ERR_BAD_RECORD', message: `no "${choice.valueField}" field` } };
  return { line, key: String(key), value: typeof value === 'string' ? value : JSON.stringify(value) };
}
