import type { Brainer } from '@brainer/client';
import { BrainerError } from '@brainer/protocol';
import { closestCommands } from '../command-words.js';
import { printableValue } from '../value-output.js';

/** One command of the prompt: what it takes, and what it prints (lines) for the words after its name. */
interface ReplCommand {
  usage: string;
  run(client: Brainer, words: string[]): Promise<string[]>;
}

const OK = ['OK'];

export const REPL_COMMANDS: Readonly<Record<string, ReplCommand>> = {
  ping: { usage: 'PING', run: async (client) => (await client.ping(), ['PONG']) },
  get: {
    usage: 'GET key',
    run: async (client, [key]) => [nilOr(await client.getBuffer(key!))],
  },
  set: {
    usage: 'SET key value [PX ms | EX seconds]',
    run: async (client, [key, value, unit, amount]) => {
      await client.set(key!, value!, unit === undefined ? {} : { ttlMs: ttlMs(unit, amount) });
      return OK;
    },
  },
  del: {
    usage: 'DEL key [key ...]',
    run: async (client, keys) => [String((await Promise.all(keys.map((key) => client.del(key)))).filter(Boolean).length)],
  },
  exists: {
    usage: 'EXISTS key [key ...]',
    run: async (client, keys) => [String((await Promise.all(keys.map((key) => client.exists(key)))).filter(Boolean).length)],
  },
  mget: { usage: 'MGET key [key ...]', run: async (client, keys) => (await client.mgetBuffers(keys)).map(nilOr) },
  mset: {
    usage: 'MSET key value [key value ...]',
    run: async (client, words) => {
      if (words.length % 2 !== 0) throw new BrainerError('ERR_BAD_REQUEST', 'MSET takes key value pairs');
      await client.mset(Array.from({ length: words.length / 2 }, (_, i) => [words[2 * i]!, words[2 * i + 1]!] as const));
      return OK;
    },
  },
  ttl: { usage: 'TTL key', run: async (client, [key]) => [String(await client.ttl(key!))] },
  pttl: { usage: 'PTTL key', run: async (client, [key]) => [String(await client.pttl(key!))] },
  expire: {
    usage: 'EXPIRE key seconds',
    run: async (client, [key, seconds]) => [(await client.expire(key!, wholeNumber('EXPIRE', seconds!) * 1000)) ? '1' : '0'],
  },
  pexpire: {
    usage: 'PEXPIRE key ms',
    run: async (client, [key, ms]) => [(await client.expire(key!, wholeNumber('PEXPIRE', ms!))) ? '1' : '0'],
  },
  flushall: { usage: 'FLUSHALL', run: async (client) => (await client.flushall(), OK) },
  keys: { usage: 'KEYS [pattern]', run: async (client, [pattern]) => emptyListOr(await client.keys(pattern ?? '*')) },
  stats: {
    usage: 'STATS',
    run: async (client) => Object.entries(await client.stats()).map(([name, value]) => `${name}: ${JSON.stringify(value)}`),
  },
};

/** How many words after the name each command takes: at least, and at most (Infinity for a list). */
const ARITY: Readonly<Record<string, [min: number, max: number]>> = {
  ping: [0, 0],
  get: [1, 1],
  set: [2, 4],
  del: [1, Infinity],
  exists: [1, Infinity],
  mget: [1, Infinity],
  mset: [2, Infinity],
  ttl: [1, 1],
  pttl: [1, 1],
  expire: [2, 2],
  pexpire: [2, 2],
  flushall: [0, 0],
  keys: [0, 1],
  stats: [0, 0],
};

/** Runs one line's words against `client`: the lines to print. Throws a BrainerError for a wrong command. */
export async function runReplCommand(client: Brainer, words: readonly string[]): Promise<string[]> {
  const [typed, ...rest] = words;
  const name = typed!.toLowerCase();
  if (name === 'help')
    return Object.values(REPL_COMMANDS)
      .map((command) => command.usage)
      .concat('QUIT');
  const command = REPL_COMMANDS[name];
  if (command === undefined) {
    const suggestions = closestCommands(name, Object.keys(REPL_COMMANDS));
    const hint = suggestions.length === 0 ? '; HELP lists the commands' : `; did you mean ${suggestions.join(' or ')}?`;
    throw new BrainerError('ERR_UNKNOWN_OP', `unknown command '${typed!}'${hint}`);
  }
  const [min, max] = ARITY[name]!;
  if (rest.length < min || rest.length > max) throw new BrainerError('ERR_BAD_REQUEST', `wrong number of arguments: ${command.usage}`);
  return command.run(client, rest);
}

function nilOr(value: Buffer | null): string {
  return value === null ? '(nil)' : printableValue(value);
}

function emptyListOr(lines: string[]): string[] {
  return lines.length === 0 ? ['(empty list)'] : lines;
}

function wholeNumber(command: string, word: string): number {
  const value = Number(word);
  if (word.trim() === '' || !Number.isSafeInteger(value))
    throw new BrainerError('ERR_BAD_REQUEST', `${command} takes a whole number, not ${word}`);
  return value;
}

function ttlMs(unit: string, amount: string | undefined): number {
  const value = Number(amount);
  const scale = unit.toLowerCase() === 'px' ? 1 : unit.toLowerCase() === 'ex' ? 1000 : 0;
  if (scale === 0 || amount === undefined || !Number.isSafeInteger(value) || value < 1) {
    throw new BrainerError('ERR_BAD_REQUEST', 'SET takes PX ms or EX seconds, a whole number of 1 or more');
  }
  return value * scale;
}
