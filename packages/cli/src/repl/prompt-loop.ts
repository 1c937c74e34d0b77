import { appendFileSync, readFileSync } from 'node:fs';
import { createInterface } from 'node:readline';
import type { Brainer } from '@brainer/client';
import { formatError } from '../format-error.js';
import { runReplCommand } from './repl-commands.js';
import { splitWords } from './split-words.js';

export interface PromptOptions {
  /** Shown before each line, as `ipc:///tmp/broker.sock> `. */
  prompt: string;
  /** A file that keeps the lines typed at a terminal across sessions; undefined for none. */
  historyFile: string | undefined;
}

const HISTORY_SIZE = 1000;

/**
 * Reads commands one a line and runs each against `client`, until QUIT or the end of the input.
 * At a terminal it shows a prompt, with history (arrow keys, and `historyFile` across sessions);
 * from a pipe it runs the lines silently, as redis-cli does. Resolves with how many lines failed.
 */
export async function promptLoop(client: Brainer, options: PromptOptions): Promise<number> {
  const terminal = process.stdin.isTTY === true && process.stdout.isTTY === true;
  const lines = createInterface({
    input: process.stdin,
    output: process.stdout,
    terminal,
    prompt: options.prompt,
    historySize: HISTORY_SIZE,
    history: terminal ? readHistory(options.historyFile) : [],
  });
  let failed = 0;
  if (terminal) lines.prompt();
  for await (const line of lines) {
    const failure = await runLine(client, line);
    if (failure === 'quit') break;
    if (failure) failed++;
    if (terminal) {
      if (line.trim() !== '') saveHistory(options.historyFile, line);
      lines.prompt();
    }
  }
  lines.close();
  return failed;
}

/** Runs one line: true when it failed, `quit` to stop. Errors print as `(error) [CODE] message`. */
async function runLine(client: Brainer, line: string): Promise<boolean | 'quit'> {
  try {
    const words = splitWords(line);
    if (words.length === 0) return false;
    if (['quit', 'exit'].includes(words[0]!.toLowerCase())) return 'quit';
    const output = await runReplCommand(client, words);
    process.stdout.write(`${output.join('\n')}\n`);
    return false;
  } catch (error) {
    process.stdout.write(`(error) ${formatError(error).replace(/^Error /, '')}\n`);
    return true;
  }
}

function readHistory(file: string | undefined): string[] {
  if (file === undefined) return [];
  try {
    // readline wants the newest first.
    return readFileSync(file, 'utf8').split('\n').filter(Boolean).slice(-HISTORY_SIZE).reverse();
  } catch {
    return [];
  }
}

function saveHistory(file: string | undefined, line: string): void {
  if (file === undefined) return;
  try {
    appendFileSync(file, `${line.replaceAll('\n', ' ')}\n`, { mode: 0o600 });
  } catch {
    // A history that cannot be kept is no reason to stop.
  }
}
